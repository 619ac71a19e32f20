import DeviceCore

/// One fault as the timeline carried it out (a network fault, a broker outage or restart): when it
/// began and ended, whom it hit, and the fleet's counts at both ends. The report's per-fault
/// timeline (`FaultImpact`) is computed from these and the reactors' session ledgers.
public struct FaultWindow: Sendable, Equatable {
    /// The timeline step (1-based) and its label: the step's `name`, or `step<N>`.
    public var step: Int
    public var label: String
    /// `broker_outage`, `broker_restart`, or the network fault's kind (`latency`, `timeout`, …).
    public var kind: String
    /// The outage mode, or empty.
    public var mode: String
    /// Fleet indices of the devices it acted on.
    public var devices: [Int]
    /// Unix-epoch µs and seconds since the ramp started; the end is nil while it is in force.
    public var startMicros: Int64
    public var startSeconds: Double
    public var endMicros: Int64?
    public var endSeconds: Double?
    /// Heartbeats sent by the fleet and received by the observer when it began and when it ended.
    public var sentAtStart = 0
    public var receivedAtStart = 0
    public var sentAtEnd: Int?
    public var receivedAtEnd: Int?
    /// Heartbeats the affected devices had published and the broker not yet acknowledged when it
    /// ended: what waited, queued in their clients or held on the way, for the link to come back.
    public var queuedAtEnd: Int?
}
