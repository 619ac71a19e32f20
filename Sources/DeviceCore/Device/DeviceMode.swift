/// What the device is doing at the top level. Each case carries only what exists in that mode.
public enum DeviceMode: Equatable, Sendable {
    /// Not running: before the first `.powerOn`, or after a `.reboot` action until the next one.
    case off
    /// Stored credentials: join the network, then hold an MQTT session to the broker.
    case station(StationMode)
    /// No stored credentials: the access point is up for the captive portal and/or ESP-IDF's
    /// provisioning service.
    case provisioning(ProvisioningMode)

    /// True before the first power-on and between a reboot and the next one.
    public var isOff: Bool {
        if case .off = self { return true }
        return false
    }
}

/// Station mode: the WiFi link and, on top of it, the MQTT session.
public struct StationMode: Equatable, Sendable {
    /// The station link.
    public internal(set) var wifi: WiFiStation {
        _read { yield storage.value.wifi }
        _modify { yield &storage.value.wifi }
    }
    /// The broker session, only attempted while `wifi` is connected.
    public internal(set) var mqtt: MQTTSession {
        _read { yield storage.value.mqtt }
        _modify { yield &storage.value.mqtt }
    }
    /// Out of line, like the portal: every heartbeat asks the mode several questions (connected?
    /// next deadline? signal?), and each `case .station(let s)` copied two hundred bytes with
    /// their references; now it copies one pointer.
    private var storage: OutOfLine<Links>

    private struct Links: Equatable, Sendable {
        var wifi: WiFiStation
        var mqtt: MQTTSession
    }

    init(wifi: WiFiStation, mqtt: MQTTSession) { storage = OutOfLine(Links(wifi: wifi, mqtt: mqtt)) }
}

/// Provisioning mode: the SoftAP the device opened and the captive portal it serves.
public struct ProvisioningMode: Equatable, Sendable {
    /// The access point's name.
    public var ssid: String { storage.value.ssid }
    /// The access point's own address.
    public var address: IPv4Address { storage.value.address }
    /// The portal's pages and state (see `Device+Provisioning.swift`).
    public internal(set) var portal: CaptivePortal {
        get { storage.value.portal }
        _modify { yield &storage.value.portal }
        set { storage.value.portal = newValue }
    }
    /// A `.wifiScan` for the portal's network list is out and its `.scanDone` not back yet.
    var scanInFlight: Bool {
        get { storage.value.scanInFlight }
        set { storage.value.scanInFlight = newValue }
    }
    /// ESP-IDF's provisioning service, when the scheme runs it (see `Device+Provisioning.swift`).
    public var softAP: SoftAPProvisioning? { storage.value.softAPStorage?.value }
    /// Out of line again, so the service can be taken out and put back without copying the portal.
    var softAPStorage: OutOfLine<SoftAPProvisioning>? {
        get { storage.value.softAPStorage }
        set { storage.value.softAPStorage = newValue }
    }
    /// All of it out of line, as `StationMode`'s links: a `DeviceMode` is then one pointer and a
    /// tag in every device (it was 48 bytes, for a mode a fleet's devices are rarely in), and
    /// small in every handler's frame.
    private var storage: OutOfLine<Fields>

    private struct Fields: Equatable, Sendable {
        let ssid: String
        let address: IPv4Address
        var portal: CaptivePortal
        var scanInFlight: Bool
        var softAPStorage: OutOfLine<SoftAPProvisioning>?
    }

    init(ssid: String, address: IPv4Address, portal: CaptivePortal, scanInFlight: Bool, softAP: SoftAPProvisioning? = nil) {
        storage = OutOfLine(Fields(ssid: ssid, address: address, portal: portal, scanInFlight: scanInFlight,
                                   softAPStorage: softAP.map { OutOfLine($0) }))
    }
}

/// Everything volatile about one run of the firmware, from a `.powerOn` to the next: RAM, in short.
struct PowerCycle: Sendable {
    let poweredOnAt: Instant
    /// The running image's version as the device reports it (`FirmwareVersionSource`).
    let firmwareVersion: String
    /// The release name the running slot was installed under, nil for the factory image or an
    /// update that named none. An offer of this release is never installed again.
    let installedRelease: String?
    /// Status publishes so far in this power cycle; the next one carries `statusSeq + 1`.
    var statusSeq = 0
    /// When the next periodic heartbeat is due; nil while MQTT is down.
    var nextHeartbeat: Instant? = nil
    /// The state last published on this MQTT connection; nil right after (re)connecting.
    var publishedState: ReportedState? = nil
    /// A promised restart (`POST /reboot`, `/reset_wifi`) and when it happens.
    var pendingReboot: PendingReboot? = nil
    var scans = PendingScans()

    init(poweredOnAt: Instant, firmwareVersion: String, installedRelease: String? = nil) {
        self.poweredOnAt = poweredOnAt
        self.firmwareVersion = firmwareVersion
        self.installedRelease = installedRelease
    }
}

/// A restart the device has promised and will perform at `at`.
struct PendingReboot: Equatable, Sendable {
    let at: Instant
    let reason: ResetReason
}
