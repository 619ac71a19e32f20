/// How a device provisions itself: where its access point lives, how the portal behaves and when a
/// freshly provisioned network that will not let it in sends it back to the portal.
public struct ProvisioningConfig: Equatable, Sendable {
    /// The AP address (ESP32 SoftAP default 192.168.4.1; SimFleet uses the device's loopback address).
    public var address: IPv4Address
    /// The portal's HTTP port as clients see it (80 on a chip).
    public var httpPort: Int
    /// Extra Host names the portal treats as its own.
    public var hostAliases: [String]
    /// Delay between the success page and the reboot into station mode.
    public var rebootDelay: TimeSpan
    /// Largest request body the portal reads; larger ones get 413.
    public var maxBodyBytes: Int
    /// TTL of the hijacked DNS answers, in seconds.
    public var dnsTTL: UInt32
    /// The device's files partition; `index.html`/`style.css` there brand the portal.
    public var files: PortalFiles
    /// Consecutive failed joins (wrong password, network not found) with credentials that never
    /// worked before the device reopens its portal, showing why; nil never falls back.
    public var fallbackAfterFailedJoins: Int?
    /// Which provisioning the access point offers: the captive portal, ESP-IDF's protocomm
    /// service (`SoftAPProvisioning`), or both on the same web server.
    public var scheme: ProvisioningScheme = .captivePortal
    /// The protocomm service's settings, used when `scheme` includes it.
    public var softAP: SoftAPProvisioningConfig = .reference

    /// ESP32 defaults: 192.168.4.1:80, 3 s reboot delay, 1 KB bodies, 60 s DNS TTL, fall back after 3 failed joins.
    public init(address: IPv4Address = .softAPDefault, httpPort: Int = 80, hostAliases: [String] = [],
                rebootDelay: TimeSpan = .seconds(3), maxBodyBytes: Int = 1024, dnsTTL: UInt32 = 60,
                files: PortalFiles = PortalFiles(), fallbackAfterFailedJoins: Int? = 3) {
        self.address = address
        self.httpPort = httpPort
        self.hostAliases = hostAliases
        self.rebootDelay = rebootDelay
        self.maxBodyBytes = maxBodyBytes
        self.dnsTTL = dnsTTL
        self.files = files
        self.fallbackAfterFailedJoins = fallbackAfterFailedJoins
    }

    /// Body bytes the access point's web server must read per request: the portal's limit, or
    /// protocomm's 4096 when the provisioning service runs.
    public var serverBodyLimit: Int {
        scheme.servesProtocomm ? max(maxBodyBytes, SoftAPProvisioning.maxBodyBytes) : maxBodyBytes
    }

    /// The portal's own configuration for device `deviceID`.
    public func portalConfig(deviceID: String) -> PortalConfig {
        PortalConfig(deviceID: deviceID, address: address, httpPort: httpPort, hostAliases: hostAliases,
                     rebootDelay: rebootDelay, maxBodyBytes: maxBodyBytes, files: files)
    }
}

/// How an unprovisioned device can be given its network.
public enum ProvisioningScheme: Equatable, Sendable {
    /// The captive portal: a setup page, `POST /save`, DNS hijack.
    case captivePortal
    /// ESP-IDF's `wifi_provisioning` manager over protocomm (`wifi_prov_scheme_softap`), what
    /// Espressif's phone apps and `esp_prov` speak.
    case idfSoftAP
    /// Both on one access point: the protocomm endpoints beside the portal's pages.
    case both

    /// The scheme's name in scenario files and flags (`captive_portal`, `idf_softap`, `both`).
    public var name: String {
        switch self {
        case .captivePortal: return "captive_portal"
        case .idfSoftAP: return "idf_softap"
        case .both: return "both"
        }
    }

    /// The scheme of that name.
    public init?(name: String) {
        switch name {
        case "captive_portal": self = .captivePortal
        case "idf_softap": self = .idfSoftAP
        case "both": self = .both
        default: return nil
        }
    }

    /// Whether the captive portal (pages, DNS hijack) runs.
    public var servesPortal: Bool { self != .idfSoftAP }
    /// Whether the protocomm service runs.
    public var servesProtocomm: Bool { self != .captivePortal }
}
