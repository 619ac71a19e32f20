/// Why a run could not start (the CLI exits 2 with this message).
public enum FleetError: Error, Equatable, CustomStringConvertible {
    /// More devices asked for than the open-file limit allows.
    case tooManyDevices(requested: Int, ceiling: Int, fdLimit: Int)
    /// The same with `--device-http`: each device also holds its web server's listening socket.
    case tooManyDevicesWithDeviceHTTP(requested: Int, ceiling: Int, fdLimit: Int)
    case broker(BrokerError)
    case observerNotSubscribed(String)
    case invalid(String)
    /// mqtts:// could not be set up (a CA file, certificate or key that cannot be used): nothing
    /// connects, rather than in plain text.
    case tls(String)
    /// The proxied devices do not fit the open-file limit: each costs three descriptors (its own
    /// socket, and the proxy's two), an unproxied device one.
    case tooManyProxiedDevices(requested: Int, proxied: Int, available: Int, fdLimit: Int)

    public var description: String {
        switch self {
        case .tooManyDevices(let r, let c, let l):
            return "\(r) devices requested, but the open-file limit (\(l), one descriptor per device in the simulator and one in a local broker) allows at most \(c) on this machine"
        case .tooManyDevicesWithDeviceHTTP(let r, let c, let l):
            return "\(r) devices requested, but the open-file limit (\(l)) allows at most \(c) on this machine with --device-http: "
                + "each device holds two descriptors in the simulator (its MQTT connection and its web server's listening socket)"
        case .broker(let e): return "broker: \(e)"
        case .observerNotSubscribed(let url): return "the observer could not subscribe to the status topics on \(url) (broker unreachable or credentials refused)"
        case .invalid(let m): return m
        case .tls(let m): return "TLS: " + m
        case .tooManyProxiedDevices(let r, let p, let a, let l):
            return "\(r) devices requested, \(p) of them behind the fault proxy (three descriptors each: the device's socket and the proxy's two; one for the others), but the open-file limit (\(l)) leaves \(a) descriptors for devices"
        }
    }
}
