/// The device's MQTT connection as a sub-machine: it waits for the network, connects, and after any
/// failure or loss backs off (capped exponential, full jitter) and tries again, forever.
public struct MQTTSession: Sendable {
    /// Where the session is. `failures` counts consecutive failed attempts since the last CONNACK.
    public enum State: Equatable, Sendable {
        case waitingForNetwork
        case connecting(failures: Int)
        case connected(since: Instant)
        case backingOff(until: Instant, failures: Int)
    }

    public private(set) var state: State = .waitingForNetwork
    let options: MQTTConnectOptions
    let backoff: Backoff

    init(options: MQTTConnectOptions, backoff: Backoff) {
        self.options = options
        self.backoff = backoff
    }

    public var isConnected: Bool {
        if case .connected = state { return true }
        return false
    }

    /// When a backoff ends and the session wants a `.tick`.
    var deadline: Instant? {
        if case .backingOff(let until, _) = state { return until }
        return nil
    }

    /// WiFi came up: connect now unless a connection is already under way.
    mutating func networkUp(actions: inout [Action], counters: inout DeviceCounters) {
        guard case .waitingForNetwork = state else { return }
        connect(failures: 0, actions: &actions, counters: &counters)
    }

    /// WiFi went away: drop whatever connection there is and wait for the network again.
    mutating func networkDown(actions: inout [Action]) {
        switch state {
        case .connecting, .connected: actions.append(.mqttDisconnect)
        case .waitingForNetwork, .backingOff: break
        }
        state = .waitingForNetwork
    }

    /// Connection-level MQTT events. Returns true when the event was legal in this state.
    mutating func handle(_ event: MQTTEvent, at now: Instant, random: inout SeededRandom,
                         actions: inout [Action], counters: inout DeviceCounters) -> Bool {
        switch (state, event) {
        case (.connecting, .connected):
            state = .connected(since: now)
            counters.mqttConnects += 1
            actions.append(.log(.info, "MQTT connected"))
            return true
        case (.connecting(let failures), .connectFailed(let code)):
            counters.mqttConnectFailures += 1
            if code == 4 || code == 5 {
                counters.mqttRefused += 1
                actions.append(.log(.error, "MQTT connection refused: " + connackReason(code)))
            } else {
                actions.append(.log(.warning, "MQTT connect failed: " + connackReason(code)))
            }
            backOff(failures: failures, at: now, random: &random, actions: &actions, counters: &counters)
            return true
        case (.connecting(let failures), .disconnected):
            counters.mqttConnectFailures += 1
            actions.append(.log(.warning, "MQTT connection closed before CONNACK"))
            backOff(failures: failures, at: now, random: &random, actions: &actions, counters: &counters)
            return true
        case (.connected, .disconnected):
            counters.mqttConnectionsLost += 1
            actions.append(.log(.warning, "MQTT connection lost"))
            backOff(failures: 0, at: now, random: &random, actions: &actions, counters: &counters)
            return true
        default:
            return false
        }
    }

    /// Ends a backoff that is due by connecting again.
    mutating func tick(at now: Instant, actions: inout [Action], counters: inout DeviceCounters) {
        guard case .backingOff(let until, let failures) = state, until <= now else { return }
        connect(failures: failures, actions: &actions, counters: &counters)
    }

    private mutating func connect(failures: Int, actions: inout [Action], counters: inout DeviceCounters) {
        state = .connecting(failures: failures)
        counters.mqttConnectAttempts += 1
        actions.append(.mqttConnect(options))
    }

    private mutating func backOff(failures: Int, at now: Instant, random: inout SeededRandom,
                                  actions: inout [Action], counters: inout DeviceCounters) {
        let delay = backoff.delay(afterFailures: failures, using: &random)
        state = .backingOff(until: now + delay, failures: failures + 1)
        actions.append(.log(.info, "MQTT reconnect in " + decimal(delay.milliseconds) + " ms"))
    }
}

/// MQTT 3.1.1 CONNACK return codes in words (code 0 never reaches here; -1 means no CONNACK at all).
func connackReason(_ code: Int) -> String {
    let name: String
    switch code {
    case 1: name = "unacceptable protocol version"
    case 2: name = "identifier rejected"
    case 3: name = "server unavailable"
    case 4: name = "bad user name or password"
    case 5: name = "not authorised"
    default: name = code < 0 ? "no connection" : "error"
    }
    return name + " (" + decimal(Int64(code)) + ")"
}
