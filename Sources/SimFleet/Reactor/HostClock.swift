import DeviceCore
import Glibc

/// The simulator's wall clock: Unix-epoch microseconds, so heartbeat timestamps are comparable
/// across processes (the observer measures end-to-end latency against them).
enum HostClock {
    static func now() -> Instant {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Instant(microseconds: Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000)
    }

    /// Monotonic seconds, for durations the wall clock must not distort.
    static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
