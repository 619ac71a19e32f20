import DeviceCore

/// Swarm testing (FoundationDB's simulation, TigerBeetle's VOPR): many seeds, each a random fault
/// schedule run in virtual time under the invariants; a failing seed is shrunk to the fewest
/// schedule events that still break the same invariant, and replays exactly from its seed.
public enum Swarm {
    /// A failure, shrunk: the seed, the invariant and the minimal schedule with its trace.
    public struct Failure: Sendable {
        public var original: SwarmRun.Result
        public var minimal: SwarmRun.Result
    }

    /// Shrinks a failing result: drops schedule events one at a time (later ones first) while the
    /// run still breaks the same invariant. At most `budget` re-runs.
    public static func shrink(_ failing: SwarmRun.Result, with runner: SwarmRun, budget: Int = 60) -> SwarmRun.Result {
        guard let target = failing.violation?.invariant else { return failing }
        var best = failing
        var runs = 0
        var i = best.schedule.events.count - 1
        while i >= 0 && runs < budget {
            var candidate = best.schedule
            candidate.events.remove(at: i)
            runs += 1
            let result = runner.run(seed: failing.seed, schedule: candidate)
            if result.violation?.invariant == target { best = result }
            i -= 1
        }
        return best
    }

    /// The trace lines of the failing device and the swarm's own events, the last `limit` of them.
    public static func minimalTrace(_ result: SwarmRun.Result, limit: Int = 60) -> [String] {
        guard let v = result.violation else { return [] }
        let lines = result.trace.filter { $0.contains(v.deviceID) || $0.contains("SWARM") || $0.contains("broker:") }
        return Array(lines.suffix(limit))
    }
}
