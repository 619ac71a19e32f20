/// The station (client) side of the WiFi radio as a sub-machine: join the stored network, and after
/// a failed join or a lost link retry with the device's backoff, forever.
public struct WiFiStation: Equatable, Sendable {
    /// `failures` counts consecutive failed joins since the last successful one.
    public enum State: Equatable, Sendable {
        case connecting(failures: Int)
        case connected(ip: IPv4Address, rssi: Int)
        case backingOff(until: Instant, failures: Int)
    }

    /// What the owner must do after an event: the link came up or went down (nil: neither).
    enum LinkChange: Equatable, Sendable {
        case up, down
    }

    /// Why the station refused a link event.
    enum Refusal: Error, Equatable, Sendable {
        /// The event cannot happen in the current state (e.g. a join failure while connected): ignored.
        case unexpectedEvent
    }

    /// Actions, a refusal of an illegal event, and a link change for the owner.
    typealias Output = MachineOutput<Refusal, LinkChange>

    /// The link's current state.
    public private(set) var state: State
    /// The network being joined (from NVS at power-on).
    public let credentials: WiFiCredentials

    /// Starts joining `credentials`' network right away. Retries wait per the `backoff` each
    /// `handle` is given (the owner's configuration; not stored here).
    init(joining credentials: WiFiCredentials, actions: inout [Action], counters: inout DeviceCounters) {
        self.credentials = credentials
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

    /// Link events (not scan results), answered in `out` (which may continue the owner's actions):
    /// the link change as its notice, an event illegal in this state as its refusal.
    mutating func handle(_ event: WiFiEvent, at now: Instant, backoff: Backoff, random: inout SeededRandom,
                         counters: inout DeviceCounters, continuing out: Output = Output()) -> Output {
        var out = out
        switch (state, event) {
        case (.connecting, .connected(let ip, let rssi)):
            state = .connected(ip: ip, rssi: rssi)
            out.actions.append(.log(.info, "WiFi connected to \"" + credentials.ssid + "\", ip " + ip.text
                                    + ", rssi " + decimal(Int64(rssi))))
            out.notice = .up
        case (.connected, .connected(let ip, let rssi)):
            // The driver re-reported the link (new lease or roaming): refresh, nothing else changes.
            state = .connected(ip: ip, rssi: rssi)
        case (.connecting(let failures), .connectFailed(let reason)),
             (.connecting(let failures), .disconnected(let reason)):
            counters.wifiConnectFailures += 1
            out.actions.append(.log(.warning, "WiFi join failed: " + reason.name))
            backOff(failures: failures, at: now, backoff: backoff, random: &random, actions: &out.actions)
        case (.connected, .disconnected(let reason)):
            counters.wifiConnectionsLost += 1
            out.actions.append(.log(.warning, "WiFi disconnected: " + reason.name))
            backOff(failures: 0, at: now, backoff: backoff, random: &random, actions: &out.actions)
            out.notice = .down
        default:
            out.refusal = .unexpectedEvent
        }
        return out
    }

    /// Time passed: a backoff that is due ends by joining again. Answered in `out` (see `handle`).
    mutating func tick(at now: Instant, counters: inout DeviceCounters, continuing out: Output = Output()) -> Output {
        var out = out
        guard case .backingOff(let until, let failures) = state, until <= now else { return out }
        connect(failures: failures, actions: &out.actions, counters: &counters)
        return out
    }

    private mutating func connect(failures: Int, actions: inout [Action], counters: inout DeviceCounters) {
        state = .connecting(failures: failures)
        counters.wifiConnectAttempts += 1
        actions.append(.wifiConnect(ssid: credentials.ssid, password: credentials.password))
    }

    private mutating func backOff(failures: Int, at now: Instant, backoff: Backoff, random: inout SeededRandom,
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
