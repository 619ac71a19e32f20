/// A point on the host's clock in microseconds since the host's epoch of choice (SimFleet uses the
/// Unix epoch so heartbeat timestamps are wall-clock). DeviceCore never reads a clock: every
/// `Instant` comes in with an event.
public struct Instant: Comparable, Hashable, Sendable {
    public var microseconds: Int64

    public init(microseconds: Int64) { self.microseconds = microseconds }
    public init(milliseconds: Int64) { self.microseconds = milliseconds &* 1000 }

    public static let zero = Instant(microseconds: 0)

    /// Whole milliseconds since the epoch (rounded down).
    public var milliseconds: Int64 { microseconds / 1000 }

    public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.microseconds < rhs.microseconds }

    public static func + (lhs: Instant, rhs: TimeSpan) -> Instant {
        Instant(microseconds: lhs.microseconds &+ rhs.microseconds)
    }

    public static func - (lhs: Instant, rhs: Instant) -> TimeSpan {
        TimeSpan(microseconds: lhs.microseconds &- rhs.microseconds)
    }

    /// Milliseconds with three decimals, e.g. `1764396000123.456`: the `ts` of heartbeats.
    public var millisecondsText: String {
        var out: [UInt8] = []
        out.reserveCapacity(24)
        appendMillisecondsText(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `millisecondsText` to `out` (same text, no intermediate Strings).
    public func appendMillisecondsText(to out: inout [UInt8]) {
        var frac = microseconds % 1000
        if frac < 0 { frac = -frac }
        appendDecimal(microseconds / 1000, to: &out)
        out.append(UInt8(ascii: "."))
        if frac < 100 { out.append(UInt8(ascii: "0")) }
        if frac < 10 { out.append(UInt8(ascii: "0")) }
        appendDecimal(frac, to: &out)
    }
}

/// A span of time with microsecond resolution (Embedded Swift has no Foundation `TimeInterval`).
public struct TimeSpan: Comparable, Hashable, Sendable {
    public var microseconds: Int64

    public init(microseconds: Int64) { self.microseconds = microseconds }

    public static func milliseconds(_ ms: Int64) -> TimeSpan { TimeSpan(microseconds: ms &* 1000) }
    public static func seconds(_ s: Int64) -> TimeSpan { TimeSpan(microseconds: s &* 1_000_000) }
    public static let zero = TimeSpan(microseconds: 0)

    public var milliseconds: Int64 { microseconds / 1000 }

    public static func < (lhs: TimeSpan, rhs: TimeSpan) -> Bool { lhs.microseconds < rhs.microseconds }
    public static func + (lhs: TimeSpan, rhs: TimeSpan) -> TimeSpan {
        TimeSpan(microseconds: lhs.microseconds &+ rhs.microseconds)
    }
    public static func * (lhs: TimeSpan, rhs: Int64) -> TimeSpan {
        TimeSpan(microseconds: lhs.microseconds &* rhs)
    }
}
