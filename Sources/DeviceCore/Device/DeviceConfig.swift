/// Everything that makes one simulated device what it is: identity, firmware, wire names, timings
/// and the seed of its randomness. Strings are already resolved (no templates left except `{id}`).
public struct DeviceConfig: Equatable, Sendable {
    public var chip: ChipModel
    /// The factory base MAC, 6 bytes (the WiFi station MAC on ESP32s).
    public private(set) var baseMAC: [UInt8]
    /// Overrides the derived device id (`esp32c6-a1b2c3`) when set.
    public var deviceIDOverride: String?
    /// Version of the factory firmware; the running version comes with `BootInfo` at power-on.
    public var firmwareVersion: String
    public var projectName: String
    public var topics: TopicTemplates

    /// MQTT client id; nil uses the device id.
    public var mqttClientID: String?
    public var mqttUsername: String?
    public var mqttPassword: String?
    public var keepAliveSeconds: Int
    /// How long the device waits for CONNACK before it gives the attempt up and backs off.
    public var mqttConnectTimeout: TimeSpan

    public var heartbeatInterval: TimeSpan
    /// QoS of status publishes, 0, 1 or 2 (the host's delivery accounting counts QoS 1 on PUBACK
    /// and QoS 2 on PUBCOMP).
    public var heartbeatQoS: Int
    /// Reconnect backoff for both WiFi and MQTT: full jitter up to min(cap, base·2ⁿ), never below the floor.
    public var backoffBase: TimeSpan
    public var backoffCap: TimeSpan
    public var backoffFloor: TimeSpan
    /// Seed of the device's `SeededRandom`; the same seed replays the same backoff schedule.
    public var randomSeed: UInt64

    /// Largest request body the local web server accepts; larger ones get 413.
    public var httpBodyLimit: Int
    /// When set, every local endpoint but `GET /version` requires `Authorization: Bearer <token>`
    /// (401 otherwise). nil (the default): the station network is trusted, as the reference firmware
    /// trusts it; POSTs still need `Content-Type: application/json` (see `LocalRouter`).
    public var localAPIToken: String?
    /// Also publish every log line to the logs topic while MQTT is connected.
    public var streamLogsToMQTT: Bool
    public var freeHeap: FreeHeapModel
    /// Credentials in NVS on first boot; nil leaves the device unprovisioned (access point mode).
    public var defaultWiFiCredentials: WiFiCredentials?
    /// Prefix of the provisioning access point's SSID; the suffix is the last 3 MAC bytes in upper hex.
    public var accessPointPrefix: String
    /// Delay between answering `POST /reboot` (or `/restart`, `/reset_wifi`) and restarting.
    public var rebootDelay: TimeSpan
    /// How long `GET /scan` waits for scan results before answering 504.
    public var scanTimeout: TimeSpan
    /// Access point, captive portal and DNS hijack settings (see `ProvisioningConfig`).
    public var provisioning: ProvisioningConfig
    /// The firmware build's OTA settings: partitions, rollback, anti-rollback, signatures, download
    /// and confirmation timeouts. Its `chip` is always taken from `chip`.
    public var ota: OTAConfig
    /// The backend's manifest (`{"version","firmware_url",...}`) fetched on `{"action":"check"}` and
    /// by the periodic poll; nil: the device has none and refuses checks.
    public var manifestURL: String?
    /// Poll `manifestURL` this often while WiFi is up; nil (the default) polls only when told.
    public var manifestPollInterval: TimeSpan?
    /// Each wait between polls is `manifestPollInterval` ± up to this (uniform, from the device's
    /// seeded random), so a fleet that booted together does not poll in step. Zero: exact interval.
    public var manifestPollJitter: TimeSpan
    /// Which name the device reports for its firmware and compares offers with (see
    /// `FirmwareVersionSource`); a release it already runs is never installed again either way.
    public var versionSource: FirmwareVersionSource
    /// The sensor task's streams (`TelemetryStream`), published while the broker session is up;
    /// empty (the default): the device publishes only its status.
    public var telemetry: [TelemetryStream]

    /// A device with the reference firmware's defaults. `baseMAC` must be 6 bytes.
    public init(baseMAC: [UInt8], chip: ChipModel = .esp32c6, firmwareVersion: String = "1.0.0",
                projectName: String = "iot-controller", randomSeed: UInt64 = 0,
                wifi: WiFiCredentials? = nil) {
        precondition(baseMAC.count == 6, "a MAC address has 6 bytes")
        self.chip = chip
        self.baseMAC = baseMAC
        self.deviceIDOverride = nil
        self.firmwareVersion = firmwareVersion
        self.projectName = projectName
        self.topics = TopicTemplates()
        self.mqttClientID = nil
        self.mqttUsername = nil
        self.mqttPassword = nil
        self.keepAliveSeconds = 60
        self.mqttConnectTimeout = .seconds(10)
        self.heartbeatInterval = .seconds(30)
        self.heartbeatQoS = 0
        self.backoffBase = .seconds(1)
        self.backoffCap = .seconds(60)
        self.backoffFloor = .milliseconds(100)
        self.randomSeed = randomSeed
        self.httpBodyLimit = 4096
        self.localAPIToken = nil
        self.streamLogsToMQTT = false
        self.freeHeap = FreeHeapModel()
        self.defaultWiFiCredentials = wifi
        self.accessPointPrefix = "iot-ctrlr-"
        self.rebootDelay = .milliseconds(500)
        self.scanTimeout = .seconds(5)
        self.provisioning = ProvisioningConfig()
        self.ota = OTAConfig(chip: chip)
        self.manifestURL = nil
        self.manifestPollInterval = nil
        self.manifestPollJitter = .zero
        self.versionSource = .release
        self.telemetry = []
    }

    /// `ota` with the device's chip: what the updater is built with.
    public var otaConfig: OTAConfig {
        var c = ota
        c.chip = chip
        return c
    }

    /// The device id as firmware derives it: chip prefix and the last 3 MAC bytes, `esp32c6-a1b2c3`.
    public var deviceID: String {
        deviceIDOverride ?? (chip.idPrefix + "-" + hexString(baseMAC[3..<6]))
    }

    /// SSID of the provisioning access point, `iot-ctrlr-A1B2C3`.
    public var accessPointSSID: String {
        accessPointPrefix + upperHex(baseMAC[3..<6])
    }

    /// The MAC as `aa:bb:cc:dd:ee:ff`.
    public var macText: String { colonHex(baseMAC) }

    /// The backoff policy both WiFi and MQTT reconnects use.
    public var backoff: Backoff { Backoff(base: backoffBase, cap: backoffCap, floor: backoffFloor) }
}

/// Upper-case hexadecimal text of bytes (access point SSIDs).
func upperHex<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
    var out: [UInt8] = []
    for c in hexString(bytes).utf8 {
        out.append(c >= UInt8(ascii: "a") && c <= UInt8(ascii: "f") ? c - 32 : c)
    }
    return String(decoding: out, as: UTF8.self)
}

/// `aa:bb:cc:...` text of bytes (MACs, BSSIDs).
func colonHex(_ bytes: [UInt8]) -> String {
    var out = ""
    for (i, b) in bytes.enumerated() {
        if i > 0 { out += ":" }
        out += hexString([b])
    }
    return out
}
