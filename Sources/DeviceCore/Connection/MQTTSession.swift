/// The device's MQTT connection as a sub-machine: it waits for the network, connects, and after any
/// failure or loss backs off (capped exponential, full jitter) and tries again, forever.
public struct MQTTSession: Equatable, Sendable {
    /// Where the session is. `failures` counts consecutive failed attempts: a CONNACK resets it only
    /// once the session has lasted `stableAfter` (a broker that accepts and drops at once is a failure).
    /// Counts are 32-bit and follow the instant: a state is 13 bytes, which keeps the station's
    /// links (this and `WiFiStation`, boxed in every device) inside a 96-byte heap block.
    public enum State: Equatable, Sendable {
        case waitingForNetwork
        /// CONNECT sent; given up as failed at `timeoutAt` if neither CONNACK nor an error came back.
        case connecting(timeoutAt: Instant, failures: Int32)
        case connected(since: Instant, failuresBefore: Int32)
        case backingOff(until: Instant, failures: Int32)
    }

    /// A session shorter than this does not reset the backoff.
    public static let stableAfter = TimeSpan.seconds(30)

    /// What the owner must do after an event: a broker session began (CONNACK) or ended.
    enum SessionChange: Equatable, Sendable {
        case started, ended
    }

    /// Why the session refused an event.
    enum Refusal: Error, Equatable, Sendable {
        /// The event cannot happen in the current state (e.g. a CONNACK nobody waited for): ignored.
        case unexpectedEvent
    }

    /// Actions, a refusal of an illegal event, and a session change for the owner. Every method
    /// answers in an `Output` that may continue the owner's action buffer (`MachineOutput(continuing:)`).
    typealias Output = MachineOutput<Refusal, SessionChange>

    /// The session's current state.
    public private(set) var state: State = .waitingForNetwork

    /// The CONNECT's options are not kept: the owner builds them from its configuration when an
    /// attempt starts (`networkUp`, `tick`), so a session costs its state, not a second copy of the
    /// client id, credentials and will (~130 bytes a device). Its retry timing is the owner's too,
    /// given to each call that may connect or back off.
    init() {}

    /// CONNACK received and the session not lost since.
    public var isConnected: Bool {
        if case .connected = state { return true }
        return false
    }

    /// When the session wants a `.tick`: the end of a backoff or of a CONNACK wait.
    var deadline: Instant? {
        switch state {
        case .backingOff(let until, _): return until
        case .connecting(let timeoutAt, _): return timeoutAt
        case .waitingForNetwork, .connected: return nil
        }
    }

    /// WiFi came up: connect now (with `options()`) unless a connection is already under way.
    mutating func networkUp(at now: Instant, timing: LinkTiming, options: () -> MQTTConnectOptions,
                            counters: inout DeviceCounters, continuing out: Output = Output()) -> Output {
        var out = out
        guard case .waitingForNetwork = state else { return out }
        connect(failures: 0, options: options(), timeoutAt: now + timing.connectTimeout, actions: &out.actions, counters: &counters)
        return out
    }

    /// WiFi went away: drop whatever connection there is and wait for the network again.
    mutating func networkDown(continuing out: Output = Output()) -> Output {
        var out = out
        switch state {
        case .connecting: out.actions.append(.mqttDisconnect)
        case .connected:
            out.actions.append(.mqttDisconnect)
            out.notice = .ended
        case .waitingForNetwork, .backingOff: break
        }
        state = .waitingForNetwork
        return out
    }

    /// Connection-level MQTT events: a session that begins or ends is the notice, an event illegal
    /// in this state the refusal.
    mutating func handle(_ event: MQTTEvent, at now: Instant, timing: LinkTiming, random: inout SeededRandom,
                         counters: inout DeviceCounters, continuing out: Output = Output()) -> Output {
        var out = out
        switch (state, event) {
        case (.connecting(_, let failures), .connected):
            state = .connected(since: now, failuresBefore: failures)
            counters.mqttConnects += 1
            out.actions.append(.log(.info, "MQTT connected"))
            out.notice = .started
        case (.connecting(_, let failures), .connectFailed(let code)):
            counters.mqttConnectFailures += 1
            if code == 4 || code == 5 {
                counters.mqttRefused += 1
                out.actions.append(.log(.error, "MQTT connection refused: " + connackReason(code)))
            } else {
                out.actions.append(.log(.warning, "MQTT connect failed: " + connackReason(code)))
            }
            backOff(failures: Int(failures), at: now, backoff: timing.backoff, random: &random, actions: &out.actions)
        case (.connecting(_, let failures), .disconnected):
            counters.mqttConnectFailures += 1
            out.actions.append(.log(.warning, "MQTT connection closed before CONNACK"))
            backOff(failures: Int(failures), at: now, backoff: timing.backoff, random: &random, actions: &out.actions)
        case (.connected(let since, let failuresBefore), .disconnected):
            counters.mqttConnectionsLost += 1
            out.actions.append(.log(.warning, "MQTT connection lost"))
            let stable = now - since >= MQTTSession.stableAfter
            backOff(failures: stable ? 0 : Int(failuresBefore), at: now, backoff: timing.backoff, random: &random, actions: &out.actions)
            out.notice = .ended
        default:
            out.refusal = .unexpectedEvent
        }
        return out
    }

    /// Ends a backoff by connecting again (with `options()`), or gives up on a CONNACK that did not come.
    mutating func tick(at now: Instant, timing: LinkTiming, options: () -> MQTTConnectOptions, random: inout SeededRandom,
                       counters: inout DeviceCounters, continuing out: Output = Output()) -> Output {
        var out = out
        switch state {
        case .backingOff(let until, let failures) where until <= now:
            connect(failures: Int(failures), options: options(), timeoutAt: now + timing.connectTimeout, actions: &out.actions,
                    counters: &counters)
        case .connecting(let timeoutAt, let failures) where timeoutAt <= now:
            counters.mqttConnectFailures += 1
            out.actions.append(.log(.warning, "MQTT connect timed out"))
            out.actions.append(.mqttDisconnect)
            backOff(failures: Int(failures), at: now, backoff: timing.backoff, random: &random, actions: &out.actions)
        default:
            break
        }
        return out
    }

    private mutating func connect(failures: Int, options: MQTTConnectOptions, timeoutAt: Instant, actions: inout [Action],
                                  counters: inout DeviceCounters) {
        state = .connecting(timeoutAt: timeoutAt, failures: Int32(clamping: failures))
        counters.mqttConnectAttempts += 1
        actions.append(.mqttConnect(options))
    }

    private mutating func backOff(failures: Int, at now: Instant, backoff: Backoff, random: inout SeededRandom,
                                  actions: inout [Action]) {
        let delay = backoff.delay(afterFailures: failures, using: &random)
        state = .backingOff(until: now + delay, failures: Int32(clamping: failures + 1))
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
