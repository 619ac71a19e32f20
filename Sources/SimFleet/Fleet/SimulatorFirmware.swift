import DeviceCore

/// The firmware every simulated device runs: DeviceCore's `Device`, with OpenSSL for SHA-256 and
/// Secure Boot V2 signature checks. Hosts hold this concrete type, not a generic parameter: their
/// methods are called through the reactor's class dispatch, which only ever reaches unspecialised
/// code of a generic class (every field read through metadata, every copy through value witnesses).
public typealias FleetDevice = Device<OpenSSLCrypto>

extension Device where Crypto == OpenSSLCrypto {
    /// Maps a fleet device spec onto DeviceCore's configuration (id from the template, MQTT
    /// credentials, heartbeat, QoS, seed; WiFi credentials when provisioned).
    public init(spec: DeviceSpec) {
        var config = DeviceConfig(
            baseMAC: spec.mac, chip: spec.chip, firmwareVersion: spec.firmwareVersion, randomSeed: spec.seed,
            wifi: spec.provisioned ? WiFiCredentials(ssid: "simfleet", password: "simfleet-wifi") : nil)
        config.deviceIDOverride = spec.id
        config.mqttUsername = spec.username
        config.mqttPassword = spec.password
        config.heartbeatInterval = TimeSpan(microseconds: spec.heartbeatMs * 1000)
        config.heartbeatQoS = spec.qos
        config.keepAliveSeconds = spec.keepAliveSeconds
        config.topics = spec.topics
        config.telemetry = spec.telemetry
        if let provisioning = spec.provisioning { config.provisioning = provisioning }
        spec.ota?.apply(to: &config)
        self.init(config: config)
    }

    public var isUpdating: Bool { reportedState == .updating }
    public var runningFirmwareVersion: String { heartbeat(at: .zero).firmware }
}
