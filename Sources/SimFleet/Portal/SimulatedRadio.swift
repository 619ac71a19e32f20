import DeviceCore

/// One access point in the simulated radio environment: what a scan shows and the password that
/// lets a station in (nil for an open network).
public struct SimulatedNetwork: Sendable, Equatable {
    /// Network name as scans show it.
    public var ssid: String
    /// The passphrase that lets a station in; nil for an open network.
    public var password: String?
    /// Signal at the device, dBm.
    public var rssi: Int
    /// WiFi channel.
    public var channel: Int
    /// Security as scans report it (derived from the password when not given).
    public var auth: WiFiAuthMode

    /// A network; `auth` defaults to WPA2-PSK with a password, open without.
    public init(ssid: String, password: String?, rssi: Int = -60, channel: Int = 6, auth: WiFiAuthMode? = nil) {
        self.ssid = ssid
        self.password = password
        self.rssi = rssi
        self.channel = channel
        self.auth = auth ?? (password == nil ? .open : .wpa2PSK)
    }
}

/// Why a networks file was refused.
public enum RadioFileError: Error, Equatable, CustomStringConvertible {
    case json(JSONError)
    case notAList
    case invalidEntry(index: Int, reason: String)

    /// The reason, prefixed with what was being read.
    public var description: String {
        switch self {
        case .json(let e): return "networks file: " + e.reason
        case .notAList: return "networks file: expected a JSON array of networks"
        case .invalidEntry(let i, let reason): return "networks file: entry " + String(i) + ": " + reason
        }
    }
}

/// The WiFi networks around a simulated device: answers its scans and decides its joins, so a wrong
/// password fails with `auth_fail` and a missing network with `no_ap_found`, as on a chip.
public struct SimulatedRadio: Sendable, Equatable {
    /// The access points in range.
    public var networks: [SimulatedNetwork]
    /// Address a successful join hands the station.
    public var stationAddress: IPv4Address

    /// An environment with `networks`; joins get `stationAddress`.
    public init(networks: [SimulatedNetwork], stationAddress: IPv4Address = IPv4Address(10, 0, 0, 2)) {
        self.networks = networks
        self.stationAddress = stationAddress
    }

    /// A small default neighbourhood, for `simfleet device` without `--networks`.
    public static let neighbourhood = SimulatedRadio(networks: [
        SimulatedNetwork(ssid: "simfleet", password: "simfleet-wifi", rssi: -48, channel: 6),
        SimulatedNetwork(ssid: "neighbour-5G", password: "not-yours-1", rssi: -71, channel: 36),
        SimulatedNetwork(ssid: "cafe-guest", password: nil, rssi: -82, channel: 11),
    ])

    /// What a scan sees.
    public func scan() -> [ScannedNetwork] {
        networks.enumerated().map { i, n in
            ScannedNetwork(ssid: n.ssid, bssid: [0x02, 0x53, 0x46, 0x00, 0x00, UInt8(truncatingIfNeeded: i + 1)],
                           rssi: n.rssi, channel: n.channel, auth: n.auth)
        }
    }

    /// The outcome of a station joining `ssid` with `password`.
    public func join(ssid: String, password: String) -> WiFiEvent {
        guard let network = networks.first(where: { $0.ssid == ssid }) else { return .connectFailed(.noAPFound) }
        guard (network.password ?? "") == password else { return .connectFailed(.authFailed) }
        return .connected(ip: stationAddress, rssi: network.rssi)
    }

    /// Parses `[{"ssid":"home","password":"hunter22","rssi":-52,"channel":6,"auth":"wpa2_psk"}, ...]`;
    /// `password` null or absent is an open network.
    public static func parse(_ bytes: [UInt8]) throws(RadioFileError) -> SimulatedRadio {
        let document: JSONValue
        do { document = try JSONReader(maxBytes: 1 << 20, maxDepth: 4).parse(bytes) } catch { throw .json(error) }
        guard case .array(let items) = document else { throw .notAList }
        var networks: [SimulatedNetwork] = []
        for (i, item) in items.enumerated() {
            guard let ssid = item["ssid"]?.stringValue, !ssid.isEmpty, ssid.utf8.count <= 32 else {
                throw .invalidEntry(index: i, reason: "ssid must be a string of 1 to 32 bytes")
            }
            let password = item["password"]?.stringValue
            var auth: WiFiAuthMode? = nil
            if let name = item["auth"]?.stringValue {
                guard let a = WiFiAuthMode(name: name) else { throw .invalidEntry(index: i, reason: "unknown auth " + name) }
                auth = a
            }
            let rssi = item["rssi"]?.int64Value ?? -60
            guard (-120 ... 0).contains(rssi) else { throw .invalidEntry(index: i, reason: "rssi must be -120...0 dBm") }
            networks.append(SimulatedNetwork(ssid: ssid, password: password, rssi: Int(rssi),
                                             channel: Int(item["channel"]?.int64Value ?? 6), auth: auth))
        }
        return SimulatedRadio(networks: networks)
    }
}
