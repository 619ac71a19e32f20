/// Capped exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And
/// Jitter"): after `n` consecutive failures wait uniform(floor ... min(cap, base·2ⁿ)). The floor keeps
/// a device that can never connect from retrying in a busy loop.
public struct Backoff: Equatable, Sendable {
    /// Ceiling after the first failure; it doubles with each further one.
    public var base: TimeSpan
    /// The ceiling never grows past this.
    public var cap: TimeSpan
    /// The shortest delay ever returned, so retries are never back-to-back.
    public let floor: TimeSpan

    /// A floor below 1 ms is raised to 1 ms: a zero delay would let a retry loop spin.
    public init(base: TimeSpan, cap: TimeSpan, floor: TimeSpan = .milliseconds(100)) {
        self.base = base
        self.cap = cap
        self.floor = max(floor, .milliseconds(1))
    }

    /// The largest delay allowed after `failures` consecutive failures: min(cap, base·2^failures),
    /// never below the floor. Saturates instead of overflowing for any failure count.
    public func ceiling(afterFailures failures: Int) -> TimeSpan {
        let cap = max(self.cap, floor)
        var delay = max(base.microseconds, 0)
        var doublings = max(failures, 0)
        while doublings > 0 && delay < cap.microseconds {
            delay = delay > Int64.max / 2 ? Int64.max : delay * 2
            doublings -= 1
        }
        let capped = min(delay, cap.microseconds)
        return TimeSpan(microseconds: max(capped, floor.microseconds))
    }

    /// A delay drawn uniformly from floor ... ceiling(afterFailures:), consuming `random`.
    public func delay(afterFailures failures: Int, using random: inout SeededRandom) -> TimeSpan {
        let high = ceiling(afterFailures: failures).microseconds
        let low = min(floor.microseconds, high)
        let spread = UInt64(high - low)
        return TimeSpan(microseconds: low + Int64(random.next(upTo: spread)))
    }
}
