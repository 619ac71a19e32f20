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

    public var heartbeatInterval: TimeSpan
    /// QoS of status publishes, 0 or 1.
    public var heartbeatQoS: Int
    /// Reconnect backoff for both WiFi and MQTT: full jitter up to min(cap, base·2ⁿ), never below the floor.
    public var backoffBase: TimeSpan
    public var backoffCap: TimeSpan
    public var backoffFloor: TimeSpan
    /// Seed of the device's `SeededRandom`; the same seed replays the same backoff schedule.
    public var randomSeed: UInt64

    /// Largest request body the local web server accepts; larger ones get 413.
    public var httpBodyLimit: Int
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
        self.heartbeatInterval = .seconds(30)
        self.heartbeatQoS = 0
        self.backoffBase = .seconds(1)
        self.backoffCap = .seconds(60)
        self.backoffFloor = .milliseconds(100)
        self.randomSeed = randomSeed
        self.httpBodyLimit = 4096
        self.streamLogsToMQTT = false
        self.freeHeap = FreeHeapModel()
        self.defaultWiFiCredentials = wifi
        self.accessPointPrefix = "iot-ctrlr-"
        self.rebootDelay = .milliseconds(500)
        self.scanTimeout = .seconds(5)
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

/// Topic templates; `{id}` is replaced by the device id.
public struct TopicTemplates: Equatable, Sendable {
    public var status: String
    public var ota: String
    public var logs: String

    public init(status: String = "device/{id}/status", ota: String = "device/{id}/ota",
                logs: String = "device/{id}/logs") {
        self.status = status
        self.ota = ota
        self.logs = logs
    }
}

/// A station's stored network, as NVS keeps it.
public struct WiFiCredentials: Equatable, Sendable {
    public var ssid: String
    public var password: String

    public init(ssid: String, password: String) {
        self.ssid = ssid
        self.password = password
    }
}

/// A plausible free-heap figure without simulating an allocator: `afterBoot` minus a wobble of up to
/// `variation` bytes that depends only on the sample number (so it does not consume the device's RNG).
public struct FreeHeapModel: Equatable, Sendable {
    public var afterBoot: Int
    public var variation: Int

    public init(afterBoot: Int = 241_664, variation: Int = 4096) {
        self.afterBoot = afterBoot
        self.variation = variation
    }

    /// Free heap at the `sample`-th observation of a device seeded with `seed`.
    public func freeHeap(sample: UInt64, seed: UInt64) -> Int {
        guard variation > 0 else { return afterBoot }
        var mix = SeededRandom(seed: seed ^ (sample &* 0x2545_F491_4F6C_DD1D))
        return afterBoot - Int(mix.next(upTo: UInt64(variation)))
    }
}

/// `template` with every `{id}` replaced by `id`.
func resolveTopic(_ template: String, id: String) -> String {
    let t = Array(template.utf8)
    let marker: [UInt8] = Array("{id}".utf8)
    var out: [UInt8] = []
    var i = 0
    while i < t.count {
        if i + marker.count <= t.count && Array(t[i..<(i + marker.count)]) == marker {
            out.append(contentsOf: id.utf8)
            i += marker.count
        } else {
            out.append(t[i])
            i += 1
        }
    }
    return String(decoding: out, as: UTF8.self)
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
