/// Where one device's MQTT client connects: broker address, port and local source address.
/// Large fleets spread over several broker ports and 127.0.0.x source addresses (see `Limits`).
public struct BrokerEndpoint: Sendable, Equatable {
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

/// mqtts:// settings: CA file, optional client certificate and key. Hostname verification is always on.
public struct TLSSettings: Sendable, Equatable {
    public var caFile: String
    public var certFile: String?
    public var keyFile: String?

    public init(caFile: String, certFile: String? = nil, keyFile: String? = nil) {
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
    }
}
