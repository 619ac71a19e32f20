/// A point on the device's monotonic clock, in milliseconds since the host's epoch of choice.
/// DeviceCore never reads a clock: every `Instant` comes in with an event.
public struct Instant: Comparable, Hashable, Sendable {
    public var milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    public static let zero = Instant(milliseconds: 0)

    public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.milliseconds < rhs.milliseconds }

    public static func + (lhs: Instant, rhs: Millis) -> Instant {
        Instant(milliseconds: lhs.milliseconds &+ rhs.value)
    }

    public static func - (lhs: Instant, rhs: Instant) -> Millis {
        Millis(lhs.milliseconds &- rhs.milliseconds)
    }
}

/// A span of time in milliseconds (Embedded Swift has no Foundation `TimeInterval`).
public struct Millis: Comparable, Hashable, Sendable {
    public var value: Int64

    public init(_ value: Int64) { self.value = value }

    public static func seconds(_ s: Int64) -> Millis { Millis(s &* 1000) }
    public static func milliseconds(_ ms: Int64) -> Millis { Millis(ms) }

    public static func < (lhs: Millis, rhs: Millis) -> Bool { lhs.value < rhs.value }
    public static func + (lhs: Millis, rhs: Millis) -> Millis { Millis(lhs.value &+ rhs.value) }
}
