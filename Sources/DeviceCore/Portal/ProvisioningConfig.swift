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

    /// The portal's own configuration for device `deviceID`.
    public func portalConfig(deviceID: String) -> PortalConfig {
        PortalConfig(deviceID: deviceID, address: address, httpPort: httpPort, hostAliases: hostAliases,
                     rebootDelay: rebootDelay, maxBodyBytes: maxBodyBytes, files: files)
    }
}
