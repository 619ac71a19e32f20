import DeviceCore

/// How one endpoint's link behaves: one-way latency, extra random delay, and the share of first
/// transmissions lost (TCP resends them after its retransmission timeout, doubling each time, so a
/// loss shows as delay, never as a missing message).
public struct LinkConditions: Equatable, Sendable {
    public var latency: TimeSpan
    /// Up to this much extra delay, uniformly drawn per message.
    public var jitter: TimeSpan
    /// 0...1 of first transmissions lost.
    public var loss: Double

    public init(latency: TimeSpan = .milliseconds(2), jitter: TimeSpan = .zero, loss: Double = 0) {
        self.latency = latency
        self.jitter = jitter
        self.loss = loss
    }

    /// A quiet LAN: 2 ms each way, nothing lost.
    public static let lan = LinkConditions()
    /// TCP's minimum retransmission timeout on Linux.
    public static let retransmit = TimeSpan.milliseconds(200)
}

/// In-memory links between named endpoints (`"broker"`, `"origin"`, a device id), driven by the
/// world's `Simulation`: each message arrives after the sender's and receiver's link delays, in
/// order per direction (as TCP keeps it); partitions cut endpoints apart, and whoever registered
/// with `onCut` hears that its connections across the cut are gone.
public final class Network {
    public let simulation: Simulation
    /// Conditions of every endpoint without its own.
    public var defaults: LinkConditions
    /// Transmissions lost and resent so far.
    public private(set) var packetsLost = 0

    private var conditions: [String: LinkConditions] = [:]
    private var isolated: Set<String> = []
    private var cutPairs: Set<Pair> = []
    private var lastArrival: [Pair: Instant] = [:]
    private var cutListeners: [String: [() -> Void]] = [:]
    private var random: SeededRandom

    private struct Pair: Hashable {
        let from: String
        let to: String
        var reversed: Pair { Pair(from: to, to: from) }
    }

    public init(simulation: Simulation, defaults: LinkConditions = .lan) {
        self.simulation = simulation
        self.defaults = defaults
        self.random = simulation.random("network")
    }

    /// Sets (nil: restores the defaults for) `endpoint`'s link.
    public func setConditions(_ c: LinkConditions?, for endpoint: String) { conditions[endpoint] = c }

    public func conditions(of endpoint: String) -> LinkConditions { conditions[endpoint] ?? defaults }

    /// Cuts `endpoint` off from everyone for `span` (nil: until `heal`).
    public func isolate(_ endpoint: String, for span: TimeSpan? = nil) {
        isolated.insert(endpoint)
        simulation.note("network: " + endpoint + " isolated")
        notifyCut(endpoint)
        if let span { simulation.schedule(after: span) { [weak self] in self?.heal(endpoint) } }
    }

    /// Cuts `a` and `b` apart (both directions) for `span` (nil: until `heal`).
    public func partition(_ a: String, _ b: String, for span: TimeSpan? = nil) {
        let pair = Pair(from: a, to: b)
        cutPairs.insert(pair)
        cutPairs.insert(pair.reversed)
        simulation.note("network: " + a + " and " + b + " partitioned")
        notifyCut(a)
        notifyCut(b)
        if let span { simulation.schedule(after: span) { [weak self] in self?.heal(a, b) } }
    }

    /// Ends `endpoint`'s isolation.
    public func heal(_ endpoint: String) {
        if isolated.remove(endpoint) != nil { simulation.note("network: " + endpoint + " reachable again") }
    }

    /// Ends the partition between `a` and `b`.
    public func heal(_ a: String, _ b: String) {
        let pair = Pair(from: a, to: b)
        if cutPairs.remove(pair) != nil { simulation.note("network: " + a + " and " + b + " healed") }
        cutPairs.remove(pair.reversed)
    }

    /// Whether a message from `a` can reach `b` now.
    public func canReach(_ a: String, _ b: String) -> Bool {
        !isolated.contains(a) && !isolated.contains(b) && !cutPairs.contains(Pair(from: a, to: b))
    }

    /// `body` runs when a cut separates `endpoint` from something (its connections are gone).
    public func onCut(_ endpoint: String, _ body: @escaping () -> Void) {
        cutListeners[endpoint, default: []].append(body)
    }

    /// When a message sent now from `a` reaches `b`; nil when they cannot reach each other.
    /// Draws loss and jitter from the network's seeded stream; keeps per-direction order.
    public func arrival(from a: String, to b: String) -> Instant? {
        guard canReach(a, b) else { return nil }
        let ca = conditions(of: a), cb = conditions(of: b)
        var delay = ca.latency + cb.latency
        let jitter = max(ca.jitter.microseconds, cb.jitter.microseconds)
        if jitter > 0 { delay = delay + TimeSpan(microseconds: Int64(random.next(upTo: UInt64(jitter)))) }
        let loss = max(ca.loss, cb.loss)
        var rto = LinkConditions.retransmit
        while loss > 0, Double(random.next(upTo: 999_999)) < loss * 1_000_000, rto < .seconds(60) {
            packetsLost += 1
            delay = delay + rto
            rto = rto + rto
        }
        let pair = Pair(from: a, to: b)
        let at = max(simulation.now + delay, lastArrival[pair] ?? simulation.now)
        lastArrival[pair] = at
        return at
    }

    /// Sends a message: `deliver` runs on arrival unless a cut separates the endpoints by then.
    /// False (and nothing scheduled) when they cannot reach each other now.
    @discardableResult
    public func send(from a: String, to b: String, _ label: String? = nil, _ deliver: @escaping () -> Void) -> Bool {
        guard let at = arrival(from: a, to: b) else { return false }
        simulation.schedule(at: at, label) { [weak self] in
            guard let self, self.canReach(a, b) else { return }
            deliver()
        }
        return true
    }

    private func notifyCut(_ endpoint: String) {
        for listener in cutListeners[endpoint] ?? [] { listener() }
    }
}
