/// A station's stored network, as NVS keeps it.
public struct WiFiCredentials: Equatable, Sendable {
    public var ssid: String
    public var password: String

    public init(ssid: String, password: String) {
        self.ssid = ssid
        self.password = password
    }
}
