/// One timeline step as it happened: when it started and ended, seconds from the ramp's start, so
/// a report can say what a `hold` measured ("steady 20 s after the outage").
public struct TimelinePhase: Sendable, Equatable {
    /// 1-based position in the timeline.
    public var step: Int
    /// The step's key (`hold`, `rollout`, …).
    public var kind: String
    /// The step's `name:`, if any.
    public var name: String?
    public var startSeconds: Double
    public var endSeconds: Double

    public init(step: Int, kind: String, name: String?, startSeconds: Double, endSeconds: Double) {
        self.step = step
        self.kind = kind
        self.name = name
        self.startSeconds = startSeconds
        self.endSeconds = endSeconds
    }
}
