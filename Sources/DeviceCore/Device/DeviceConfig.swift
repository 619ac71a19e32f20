/// Everything that makes one simulated device what it is: identity, firmware, wire names, timings
/// and the seed of its randomness. Strings are already resolved (no templates left except `{id}`).
public struct DeviceConfig: Equatable, Sendable {
    // A device's own fields (MAC, id, seed, MQTT identity) are stored here; everything else, the
    // same for every device of a fleet group, lives in one shared copy-on-write cell (`settings`):
    // a fleet of ten thousand devices holds one copy of its ~600 bytes, not ten thousand (see
    // `shareSettings(with:)`).
    private var settings: OutOfLine<DeviceSettings>

    public var chip: ChipModel {
        get { settings.value.chip }
        set { settings.value.chip = newValue }
    }
    /// The factory base MAC, 6 bytes (the WiFi station MAC on ESP32s).
    public var baseMAC: [UInt8] { (0..<6).map { UInt8(truncatingIfNeeded: mac >> (40 - 8 * UInt64($0))) } }
    /// `baseMAC`, big-endian in the low 48 bits: held in line, where an array would cost every
    /// device a ~40-byte allocation.
    private var mac: UInt64
    /// Overrides the derived device id (`esp32c6-a1b2c3`) when set.
    public var deviceIDOverride: String?
    /// Version of the factory firmware; the running version comes with `BootInfo` at power-on.
    public var firmwareVersion: String {
        get { settings.value.firmwareVersion }
        set { settings.value.firmwareVersion = newValue }
    }
    public var projectName: String {
        get { settings.value.projectName }
        set { settings.value.projectName = newValue }
    }
    public var topics: TopicTemplates {
        get { settings.value.topics }
        set { settings.value.topics = newValue }
    }

    /// MQTT client id; nil uses the device id.
    public var mqttClientID: String?
    public var mqttUsername: String?
    public var mqttPassword: String?
    public var keepAliveSeconds: Int {
        get { settings.value.keepAliveSeconds }
        set { settings.value.keepAliveSeconds = newValue }
    }
    /// How long the device waits for CONNACK before it gives the attempt up and backs off.
    public var mqttConnectTimeout: TimeSpan {
        get { settings.value.mqttConnectTimeout }
        set { settings.value.mqttConnectTimeout = newValue }
    }

    public var heartbeatInterval: TimeSpan {
        get { settings.value.heartbeatInterval }
        set { settings.value.heartbeatInterval = newValue }
    }
    /// QoS of status publishes, 0, 1 or 2 (the host's delivery accounting counts QoS 1 on PUBACK
    /// and QoS 2 on PUBCOMP).
    public var heartbeatQoS: Int {
        get { settings.value.heartbeatQoS }
        set { settings.value.heartbeatQoS = newValue }
    }
    /// Reconnect backoff for both WiFi and MQTT: full jitter up to min(cap, base·2ⁿ), never below the floor.
    public var backoffBase: TimeSpan {
        get { settings.value.backoffBase }
        set { settings.value.backoffBase = newValue }
    }
    public var backoffCap: TimeSpan {
        get { settings.value.backoffCap }
        set { settings.value.backoffCap = newValue }
    }
    public var backoffFloor: TimeSpan {
        get { settings.value.backoffFloor }
        set { settings.value.backoffFloor = newValue }
    }
    /// Seed of the device's `SeededRandom`; the same seed replays the same backoff schedule.
    public var randomSeed: UInt64

    /// Largest request body the local web server accepts; larger ones get 413.
    public var httpBodyLimit: Int {
        get { settings.value.httpBodyLimit }
        set { settings.value.httpBodyLimit = newValue }
    }
    /// When set, every local endpoint but `GET /version` requires `Authorization: Bearer <token>`
    /// (401 otherwise). nil (the default): the station network is trusted, as the reference firmware
    /// trusts it; POSTs still need `Content-Type: application/json` (see `LocalRouter`).
    public var localAPIToken: String? {
        get { settings.value.localAPIToken }
        set { settings.value.localAPIToken = newValue }
    }
    /// Also publish every log line to the logs topic while MQTT is connected.
    public var streamLogsToMQTT: Bool {
        get { settings.value.streamLogsToMQTT }
        set { settings.value.streamLogsToMQTT = newValue }
    }
    public var freeHeap: FreeHeapModel {
        get { settings.value.freeHeap }
        set { settings.value.freeHeap = newValue }
    }
    /// Credentials in NVS on first boot; nil leaves the device unprovisioned (access point mode).
    public var defaultWiFiCredentials: WiFiCredentials? {
        get { settings.value.defaultWiFiCredentials }
        set { settings.value.defaultWiFiCredentials = newValue }
    }
    /// Prefix of the provisioning access point's SSID; the suffix is the last 3 MAC bytes in upper hex.
    public var accessPointPrefix: String {
        get { settings.value.accessPointPrefix }
        set { settings.value.accessPointPrefix = newValue }
    }
    /// Delay between answering `POST /reboot` (or `/restart`, `/reset_wifi`) and restarting.
    public var rebootDelay: TimeSpan {
        get { settings.value.rebootDelay }
        set { settings.value.rebootDelay = newValue }
    }
    /// How long `GET /scan` waits for scan results before answering 504.
    public var scanTimeout: TimeSpan {
        get { settings.value.scanTimeout }
        set { settings.value.scanTimeout = newValue }
    }
    /// Access point, captive portal and DNS hijack settings (see `ProvisioningConfig`).
    public var provisioning: ProvisioningConfig {
        get { settings.value.provisioning }
        set { settings.value.provisioning = newValue }
    }
    /// The firmware build's OTA settings: partitions, rollback, anti-rollback, signatures, download
    /// and confirmation timeouts. Its `chip` is always taken from `chip`.
    public var ota: OTAConfig {
        get { settings.value.ota }
        set { settings.value.ota = newValue }
    }
    /// The backend's manifest (`{"version","firmware_url",...}`) fetched on `{"action":"check"}` and
    /// by the periodic poll; nil: the device has none and refuses checks.
    public var manifestURL: String? {
        get { settings.value.manifestURL }
        set { settings.value.manifestURL = newValue }
    }
    /// Poll `manifestURL` this often while WiFi is up; nil (the default) polls only when told.
    public var manifestPollInterval: TimeSpan? {
        get { settings.value.manifestPollInterval }
        set { settings.value.manifestPollInterval = newValue }
    }
    /// Each wait between polls is `manifestPollInterval` ± up to this (uniform, from the device's
    /// seeded random), so a fleet that booted together does not poll in step. Zero: exact interval.
    public var manifestPollJitter: TimeSpan {
        get { settings.value.manifestPollJitter }
        set { settings.value.manifestPollJitter = newValue }
    }
    /// Which name the device reports for its firmware and compares offers with (see
    /// `FirmwareVersionSource`); a release it already runs is never installed again either way.
    public var versionSource: FirmwareVersionSource {
        get { settings.value.versionSource }
        set { settings.value.versionSource = newValue }
    }
    /// The sensor task's streams (`TelemetryStream`), published while the broker session is up;
    /// empty (the default): the device publishes only its status.
    public var telemetry: [TelemetryStream] {
        get { settings.value.telemetry }
        set { settings.value.telemetry = newValue }
    }

    /// A device with the reference firmware's defaults. `baseMAC` must be 6 bytes.
    public init(baseMAC: [UInt8], chip: ChipModel = .esp32c6, firmwareVersion: String = "1.0.0",
                projectName: String = "iot-controller", randomSeed: UInt64 = 0,
                wifi: WiFiCredentials? = nil) {
        precondition(baseMAC.count == 6, "a MAC address has 6 bytes")
        var s = DeviceSettings()
        s.chip = chip
        self.mac = baseMAC.reduce(0) { $0 << 8 | UInt64($1) }
        s.firmwareVersion = firmwareVersion
        s.projectName = projectName
        self.randomSeed = randomSeed
        s.defaultWiFiCredentials = wifi
        s.ota = OTAConfig(chip: chip)
        self.settings = OutOfLine(s)
    }

    /// Points this configuration's shared part at `other`'s when the two are equal, so a fleet
    /// group's devices hold one copy of it; true when they now share it. Changes no value.
    @discardableResult
    public mutating func shareSettings(with other: DeviceConfig) -> Bool {
        settings.share(other.settings)
    }

    /// Whether the two hold the same copy of their shared part (not merely equal ones).
    public func sharesSettings(with other: DeviceConfig) -> Bool { settings.isSameCell(as: other.settings) }

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

/// What a fleet group's devices share in `DeviceConfig` (see there for each field's meaning), with
/// the reference firmware's defaults: the only place they are written.
struct DeviceSettings: Equatable, Sendable {
    var chip: ChipModel = .esp32c6
    var firmwareVersion: String = "1.0.0"
    var projectName: String = "iot-controller"
    var topics: TopicTemplates = TopicTemplates()
    var keepAliveSeconds: Int = 60
    var mqttConnectTimeout: TimeSpan = .seconds(10)
    var heartbeatInterval: TimeSpan = .seconds(30)
    var heartbeatQoS: Int = 0
    var backoffBase: TimeSpan = .seconds(1)
    var backoffCap: TimeSpan = .seconds(60)
    var backoffFloor: TimeSpan = .milliseconds(100)
    var httpBodyLimit: Int = 4096
    var localAPIToken: String? = nil
    var streamLogsToMQTT: Bool = false
    var freeHeap: FreeHeapModel = FreeHeapModel()
    var defaultWiFiCredentials: WiFiCredentials? = nil
    var accessPointPrefix: String = "iot-ctrlr-"
    var rebootDelay: TimeSpan = .milliseconds(500)
    var scanTimeout: TimeSpan = .seconds(5)
    var provisioning: ProvisioningConfig = ProvisioningConfig()
    var ota: OTAConfig = OTAConfig(chip: .esp32c6)
    var manifestURL: String? = nil
    var manifestPollInterval: TimeSpan? = nil
    var manifestPollJitter: TimeSpan = .zero
    var versionSource: FirmwareVersionSource = .release
    var telemetry: [TelemetryStream] = []
}
