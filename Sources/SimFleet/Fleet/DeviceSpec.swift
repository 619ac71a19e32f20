import DeviceCore

/// Everything that makes one simulated device itself: identity, hardware, firmware and how it
/// reaches the backend. Derived from the fleet shape and the seed, so a run can be repeated.
public struct DeviceSpec: Sendable, Equatable {
    /// Position in the fleet (0-based), `{n}` in templates is `index + 1`.
    public var index: Int
    public var id: String
    public var mac: [UInt8]
    public var chip: ChipModel
    public var firmwareVersion: String
    public var heartbeatMs: Int64
    public var qos: Int
    public var provisioned: Bool
    public var username: String?
    public var password: String?
    /// A per-device seed for the firmware's own jitter (backoff, heartbeat phase).
    public var seed: UInt64
    /// Access point and captive portal settings (address, ports); nil keeps DeviceCore's defaults.
    public var provisioning: ProvisioningConfig? = nil
    /// Manifest URL, poll, confirmation window and signature policy; nil keeps DeviceCore's defaults.
    public var ota: DeviceOTASettings? = nil
    /// MQTT keepalive the device asks the broker for (DeviceCore's default).
    public var keepAliveSeconds = Int(FleetDefaults.keepAlive.microseconds / 1_000_000)
    /// Status, OTA and logs topics with the fleet's placeholders resolved (`{id}` left for the device).
    public var topics = TopicTemplates()
    /// The device's telemetry streams (its group's), topics with `{id}` left for the device.
    public var telemetry: [TelemetryStream] = []
    /// The group the device belongs to (`{group}` in templates).
    public var group = FleetConfiguration.defaultGroupName

    public init(index: Int, id: String, mac: [UInt8], chip: ChipModel, firmwareVersion: String, heartbeatMs: Int64,
                qos: Int, provisioned: Bool, username: String?, password: String?, seed: UInt64) {
        self.index = index
        self.id = id
        self.mac = mac
        self.chip = chip
        self.firmwareVersion = firmwareVersion
        self.heartbeatMs = heartbeatMs
        self.qos = qos
        self.provisioned = provisioned
        self.username = username
        self.password = password
        self.seed = seed
    }
}

/// The part of a `DeviceSpec` its host keeps after building the firmware: position, id and seed.
public struct DeviceIdentity: Sendable, Equatable {
    public var index: Int
    public var id: String
    public var seed: UInt64

    /// What a fleet device's WiFi join gets (its access point always lets it in): an address from
    /// its position and a signal from its seed. The socket and the virtual-time hosts agree on it.
    var stationJoin: WiFiEvent {
        let n = index + 2
        let ip = IPv4Address(10, UInt8((n >> 16) & 0xFF), UInt8((n >> 8) & 0xFF), UInt8(n & 0xFF))
        return .connected(ip: ip, rssi: -40 - Int(seed % 30))
    }
}
