import CMosquitto
import DeviceCore

/// The crypto simulated devices use until the OpenSSL `DeviceCrypto` (signature checks) is merged:
/// SHA-256 is real (OpenSSL EVP); every signature check refuses, so a signed-image OTA fails
/// closed rather than passing unverified. Replace the `FleetDevice` alias to switch.
public enum InterimCrypto: DeviceCrypto {
    public struct Hasher: SHA256Hashing {
        private var context: UnsafeMutableRawPointer?

        public init() { context = simfleet_sha256_new() }

        public mutating func update(_ bytes: ArraySlice<UInt8>) {
            bytes.withUnsafeBufferPointer { simfleet_sha256_update(context, $0.baseAddress, $0.count) }
        }

        public mutating func finalize() -> [UInt8] {
            var out = [UInt8](repeating: 0, count: 32)
            simfleet_sha256_final(context, &out)
            context = nil
            return out
        }
    }

    public static func verifyRSAPSS(modulusBE: [UInt8], exponent: UInt32, digest: [UInt8], signatureBE: [UInt8]) -> Bool { false }
    public static func verifyECDSAP256(x: [UInt8], y: [UInt8], digest: [UInt8], r: [UInt8], s: [UInt8]) -> Bool { false }
}

/// The firmware every simulated device runs: DeviceCore's `Device`.
public typealias FleetDevice = Device<InterimCrypto>

extension Device: FleetFirmware {
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
        if let provisioning = spec.provisioning { config.provisioning = provisioning }
        self.init(config: config)
    }
}
