/// Where one device's MQTT client connects: broker address, port and local source address.
/// Large fleets spread over several broker ports and 127.0.0.x source addresses (see `Limits`).
public struct BrokerEndpoint: Sendable, Hashable {
    public var host: String
    public var port: Int
    /// Local address to bind before connecting (nil lets the kernel choose).
    public var bindAddress: String?
    public var tls: TLSSettings?

    public init(host: String, port: Int, bindAddress: String? = nil, tls: TLSSettings? = nil) {
        self.host = host
        self.port = port
        self.bindAddress = bindAddress
        self.tls = tls
    }
}

/// mqtts:// settings: CA file (nil: the system trust store), optional client certificate and key.
/// Hostname verification is always on. Certificate and key may be per-device templates
/// (`certs/{id}.pem`: `{id}`, `{n}`, `{n:06}`, `{chip}`, `{mac}`), resolved for each device.
public struct TLSSettings: Sendable, Hashable {
    public var caFile: String?
    public var certFile: String?
    public var keyFile: String?

    public init(caFile: String?, certFile: String? = nil, keyFile: String? = nil) {
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
    }

    /// Whether the files differ per device (a template field in any of them).
    public var isTemplate: Bool { [caFile, certFile, keyFile].contains { $0?.contains("{") == true } }

    /// The settings with every template field filled in for one client.
    public func resolved(n: Int, id: String, chip: String, mac: String) -> TLSSettings {
        func fill(_ t: String?) -> String? { t.map { FleetConfiguration.expand($0, n: n, id: id, chip: chip, mac: mac) } }
        return TLSSettings(caFile: fill(caFile), certFile: fill(certFile), keyFile: fill(keyFile))
    }
}
