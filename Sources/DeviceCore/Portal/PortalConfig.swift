/// How a device's captive portal is set up: where it lives, how long it waits before rebooting,
/// how much it reads, and the files partition that may brand it.
public struct PortalConfig: Equatable, Sendable {
    /// The device id shown on the page.
    public var deviceID: String
    /// The AP address clients reach the portal at (ESP32 SoftAP default 192.168.4.1).
    public var address: IPv4Address
    /// The portal's HTTP port; redirects name it unless it is 80.
    public var httpPort: Int
    /// Extra Host names treated as the portal's own (the address is always accepted).
    public var hostAliases: [String]
    /// Delay between a successful `POST /save` and the reboot into station mode.
    public var rebootDelay: TimeSpan
    /// Largest request body read; larger ones get 413.
    public var maxBodyBytes: Int
    /// The device's read-only files partition (the "SPIFFS" branding case).
    public var files: PortalFiles

    /// A portal at the ESP32 SoftAP defaults unless told otherwise.
    public init(deviceID: String, address: IPv4Address = .softAPDefault, httpPort: Int = 80,
                hostAliases: [String] = [], rebootDelay: TimeSpan = .seconds(3), maxBodyBytes: Int = 1024,
                files: PortalFiles = PortalFiles()) {
        self.deviceID = deviceID
        self.address = address
        self.httpPort = httpPort
        self.hostAliases = hostAliases
        self.rebootDelay = rebootDelay
        self.maxBodyBytes = maxBodyBytes
        self.files = files
    }

    /// Where every foreign request is redirected, e.g. `http://192.168.4.1/`.
    public var portalURL: String {
        "http://" + address.text + (httpPort == 80 ? "" : ":" + decimal(Int64(httpPort))) + "/"
    }

    /// True when a request's Host (port already stripped) names this portal; no Host counts as ours.
    public func isOwnHost(_ host: String?) -> Bool {
        guard let host, !host.isEmpty else { return true }
        if host == address.text { return true }
        for alias in hostAliases where asciiCaseInsensitiveEqual(alias, host) { return true }
        return false
    }
}

/// A small read-only file map (name → bytes), the model of the device's files partition.
public struct PortalFiles: Equatable, Sendable {
    /// Files by name (no leading slash), e.g. `index.html`.
    public var entries: [(name: String, bytes: [UInt8])]

    /// A partition holding `entries` (empty: the built-in page is served).
    public init(_ entries: [(name: String, bytes: [UInt8])] = []) { self.entries = entries }

    /// The bytes of file `name` (without a leading slash), nil when absent.
    public subscript(name: String) -> [UInt8]? {
        for e in entries where e.name == name { return e.bytes }
        return nil
    }

    /// Same names and bytes in the same order.
    public static func == (l: PortalFiles, r: PortalFiles) -> Bool {
        guard l.entries.count == r.entries.count else { return false }
        for i in 0..<l.entries.count where l.entries[i].name != r.entries[i].name || l.entries[i].bytes != r.entries[i].bytes {
            return false
        }
        return true
    }

    /// Content type by file extension; unknown extensions are served as bytes.
    static func contentType(of name: String) -> String {
        let n: [UInt8] = name.utf8.map { asciiLower($0) }
        func ends(_ suffix: String) -> Bool {
            let s = Array(suffix.utf8)
            return n.count >= s.count && Array(n[(n.count - s.count)...]) == s
        }
        if ends(".html") || ends(".htm") { return "text/html; charset=utf-8" }
        if ends(".css") { return "text/css; charset=utf-8" }
        if ends(".js") { return "text/javascript; charset=utf-8" }
        if ends(".json") { return "application/json" }
        if ends(".svg") { return "image/svg+xml" }
        if ends(".png") { return "image/png" }
        if ends(".ico") { return "image/x-icon" }
        if ends(".txt") { return "text/plain; charset=utf-8" }
        return "application/octet-stream"
    }
}
