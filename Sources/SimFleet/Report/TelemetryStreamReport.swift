/// One telemetry stream in the run report (`telemetry.<name>`): what the devices published, what
/// the broker acknowledged (QoS 1) and what the observer received, as for heartbeats.
public struct TelemetryStreamReport: Sendable {
    public var name: String
    /// The topic template and, when only one group publishes it, that group.
    public var topic: String
    public var group: String?
    public var qos: Int
    public var everyMs: Int64
    public var sent = 0
    /// QoS 1: PUBACKs received; QoS 0: 0.
    public var acknowledged = 0
    /// Unique messages the observer received (by device and `{seq}`, or counted without `{seq}`).
    public var received = 0
    /// QoS 1: acknowledged by the broker and never received (by device and `{seq}`; without `{seq}`
    /// the shortfall of received against acknowledged per device). QoS 0: 0 (nothing is promised).
    public var lost = 0
    /// Redeliveries of a `{seq}` the observer already had, and payloads without the template's shape.
    public var duplicates = 0
    public var malformed = 0
    /// End-to-end latency from `{ts}` (count 0 without `{ts}`).
    public var e2e = LatencySummary(count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0)
    /// First 100 losses: device and `{seq}`.
    public var lostDetail: [(device: String, seq: Int)] = []

    /// QoS 1 messages the broker never acknowledged (connection lost first): not losses.
    public var unacknowledged: Int { qos == 0 ? 0 : max(0, sent - acknowledged) }
    /// received / sent (1 when nothing was sent).
    public var delivery: Double { sent == 0 ? 1 : Double(received) / Double(sent) }
}
