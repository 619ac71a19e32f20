/// The station (client) side of the WiFi radio as a sub-machine: join the stored network, and after
/// a failed join or a lost link retry with the device's backoff, forever.
public struct WiFiStation: Equatable, Sendable {
    /// `failures` counts consecutive failed joins since the last successful one.
    public enum State: Equatable, Sendable {
        case connecting(failures: Int)
        case connected(ip: IPv4Address, rssi: Int)
        case backingOff(until: Instant, failures: Int)
    }

    /// Whether the link came up, went down, or neither, as a result of an event.
    enum LinkChange: Equatable {
        case none, up, down
    }

    /// The link's current state.
    public private(set) var state: State
    /// The network being joined (from NVS at power-on).
    public let credentials: WiFiCredentials
    let backoff: Backoff

    /// Starts joining `credentials`' network right away.
    init(joining credentials: WiFiCredentials, backoff: Backoff, actions: inout [Action],
         counters: inout DeviceCounters) {
        self.credentials = credentials
        self.backoff = backoff
        self.state = .connecting(failures: 0)
        connect(failures: 0, actions: &actions, counters: &counters)
    }

    /// Associated with an address.
    public var isConnected: Bool {
        if case .connected = state { return true }
        return false
    }

    /// The station address, when connected.
    public var ip: IPv4Address? {
        if case .connected(let ip, _) = state { return ip }
        return nil
    }

    /// Signal strength of the joined access point, when connected.
    public var rssi: Int? {
        if case .connected(_, let rssi) = state { return rssi }
        return nil
    }

    var deadline: Instant? {
        if case .backingOff(let until, _) = state { return until }
        return nil
    }

    /// Link events (not scan results). Returns nil when the event is illegal in this state.
    mutating func handle(_ event: WiFiEvent, at now: Instant, random: inout SeededRandom,
                         actions: inout [Action], counters: inout DeviceCounters) -> LinkChange? {
        switch (state, event) {
        case (.connecting, .connected(let ip, let rssi)):
            state = .connected(ip: ip, rssi: rssi)
            actions.append(.log(.info, "WiFi connected to \"" + credentials.ssid + "\", ip " + ip.text
                                + ", rssi " + decimal(Int64(rssi))))
            return .up
        case (.connected, .connected(let ip, let rssi)):
            // The driver re-reported the link (new lease or roaming): refresh, nothing else changes.
            state = .connected(ip: ip, rssi: rssi)
            return LinkChange.none
        case (.connecting(let failures), .connectFailed(let reason)),
             (.connecting(let failures), .disconnected(let reason)):
            counters.wifiConnectFailures += 1
            actions.append(.log(.warning, "WiFi join failed: " + reason.name))
            backOff(failures: failures, at: now, random: &random, actions: &actions)
            return LinkChange.none
        case (.connected, .disconnected(let reason)):
            counters.wifiConnectionsLost += 1
            actions.append(.log(.warning, "WiFi disconnected: " + reason.name))
            backOff(failures: 0, at: now, random: &random, actions: &actions)
            return .down
        default:
            return nil
        }
    }

    /// Ends a backoff that is due by joining again.
    mutating func tick(at now: Instant, actions: inout [Action], counters: inout DeviceCounters) {
        guard case .backingOff(let until, let failures) = state, until <= now else { return }
        connect(failures: failures, actions: &actions, counters: &counters)
    }

    private mutating func connect(failures: Int, actions: inout [Action], counters: inout DeviceCounters) {
        state = .connecting(failures: failures)
        counters.wifiConnectAttempts += 1
        actions.append(.wifiConnect(ssid: credentials.ssid, password: credentials.password))
    }

    private mutating func backOff(failures: Int, at now: Instant, random: inout SeededRandom,
                                  actions: inout [Action]) {
        let delay = backoff.delay(afterFailures: failures, using: &random)
        state = .backingOff(until: now + delay, failures: failures + 1)
        actions.append(.log(.info, "WiFi retry in " + decimal(delay.milliseconds) + " ms"))
    }
}

extension WiFiFailure {
    /// ESP-IDF style name, as logs print it.
    public var name: String {
        switch self {
        case .noAPFound: return "no_ap_found"
        case .authFailed: return "auth_fail"
        case .beaconTimeout: return "beacon_timeout"
        case .connectionLost: return "connection_lost"
        }
    }
}
