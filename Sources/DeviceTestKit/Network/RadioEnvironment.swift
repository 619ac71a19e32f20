import DeviceCore

/// The WiFi around a simulated device: the access points a scan shows and whether a join gets in
/// (a wrong password fails with `authFailed`, a missing network with `noAPFound`, as on a chip).
/// Access points can go down for a while (`takeDown`), like a router being power-cycled.
public struct RadioEnvironment: Sendable, Equatable {
    /// One access point in range.
    public struct AccessPoint: Sendable, Equatable {
        public var ssid: String
        /// The passphrase that lets a station in; nil for an open network.
        public var password: String?
        public var rssi: Int
        public var channel: Int
        public var bssid: [UInt8]
        /// Down until this instant (not in scans, joins fail).
        public var downUntil: Instant?

        public init(ssid: String, password: String?, rssi: Int = -55, channel: Int = 6,
                    bssid: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01]) {
            self.ssid = ssid
            self.password = password
            self.rssi = rssi
            self.channel = channel
            self.bssid = bssid
        }

        var auth: WiFiAuthMode { password == nil ? .open : .wpa2PSK }
    }

    public var accessPoints: [AccessPoint]
    /// The address a successful join hands the station.
    public var stationAddress: IPv4Address

    public init(_ accessPoints: [AccessPoint], stationAddress: IPv4Address = IPv4Address(192, 168, 1, 57)) {
        self.accessPoints = accessPoints
        self.stationAddress = stationAddress
    }

    /// One WPA2 network, `home` / `hunter22` (the harnesses' default credentials).
    public static let home = RadioEnvironment([AccessPoint(ssid: "home", password: "hunter22")])

    /// What a station joining `ssid` with `password` gets at `now`.
    public func join(ssid: String, password: String, at now: Instant) -> WiFiEvent {
        guard let ap = accessPoints.first(where: { $0.ssid == ssid && isUp($0, at: now) }) else {
            return .connectFailed(.noAPFound)
        }
        if let expected = ap.password, expected != password { return .connectFailed(.authFailed) }
        return .connected(ip: stationAddress, rssi: ap.rssi)
    }

    /// What a scan at `now` finds, strongest first.
    public func scan(at now: Instant) -> [ScannedNetwork] {
        accessPoints.filter { isUp($0, at: now) }.sorted { $0.rssi > $1.rssi }.map {
            ScannedNetwork(ssid: $0.ssid, bssid: $0.bssid, rssi: $0.rssi, channel: $0.channel, auth: $0.auth)
        }
    }

    /// `ssid` disappears until `until`.
    public mutating func takeDown(_ ssid: String, until: Instant) {
        for i in accessPoints.indices where accessPoints[i].ssid == ssid { accessPoints[i].downUntil = until }
    }

    /// Whether the network a station joined is still there.
    public func isUp(_ ssid: String, at now: Instant) -> Bool {
        accessPoints.contains { $0.ssid == ssid && isUp($0, at: now) }
    }

    private func isUp(_ ap: AccessPoint, at now: Instant) -> Bool {
        guard let until = ap.downUntil else { return true }
        return now >= until
    }
}
