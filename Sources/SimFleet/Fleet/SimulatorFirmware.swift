import DeviceCore

/// The firmware every simulated device runs: DeviceCore's `Device`, with OpenSSL for SHA-256 and
/// Secure Boot V2 signature checks. Hosts hold this concrete type, not a generic parameter: their
/// methods are called through the reactor's class dispatch, which only ever reaches unspecialised
/// code of a generic class (every field read through metadata, every copy through value witnesses).
public typealias FleetDevice = Device<OpenSSLCrypto>

extension DeviceSpec {
    /// The fleet device spec as DeviceCore's configuration (id from the template, MQTT
    /// credentials, heartbeat, QoS, seed; WiFi credentials when provisioned): a fleet device is
    /// `FleetDevice(config: spec.firmwareConfig)`.
    public var firmwareConfig: DeviceConfig {
        var config = DeviceConfig(
            baseMAC: mac, chip: chip, firmwareVersion: firmwareVersion, randomSeed: seed,
            wifi: provisioned ? WiFiCredentials(ssid: "simfleet", password: "simfleet-wifi") : nil)
        config.deviceIDOverride = id
        config.mqttUsername = username
        config.mqttPassword = password
        config.heartbeatInterval = TimeSpan(microseconds: heartbeatMs * 1000)
        config.heartbeatQoS = qos
        config.keepAliveSeconds = keepAliveSeconds
        config.topics = topics
        config.telemetry = telemetry
        if let provisioning { config.provisioning = provisioning }
        ota?.apply(to: &config)
        return config
    }
}
