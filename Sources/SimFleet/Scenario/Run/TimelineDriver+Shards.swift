import DeviceCore
import Foundation

/// Steps of a sharded run (`ShardRendezvous`): a step that starts after the previous one, or when
/// an `after:` condition holds, starts on every shard at one agreed wall-clock instant, and its
/// condition is judged on the sum of all shards' live figures. `at:` steps need no agreement: the
/// shards share their start.
extension TimelineDriver {
    /// What the shards decided about a step.
    enum Agreement {
        case proceed
        /// The driver was stopped while waiting.
        case stopped
        /// The step's condition did not hold fleet-wide within its timeout (the run stops).
        case timedOut(String)
    }

    func agree(_ i: Int, _ step: TimelineStep, via rendezvous: ShardRendezvous) -> Agreement {
        let number = i + 1
        do { try rendezvous.announceReady(step: number) } catch {
            return .timedOut("shard " + rendezvous.slice.description + " could not announce itself: " + error.description)
        }
        var condition: Condition?
        var timeout: Double?
        if case .after(let c, let t) = step.trigger {
            condition = c
            timeout = Double(t.microseconds) / 1e6
        }
        let versions = condition.map { LiveFigures.needsVersions($0.comparison) } ?? false
        var deadline: Double?
        while !isStopped {
            if let decided = rendezvous.decision(step: number) { return follow(decided, i, condition, timeout) }
            rendezvous.publishLive(LiveFigures.document(runner.snapshot(), versions: versions ? runner.versionCounts() : [:]).json,
                                   step: number)
            if let everyone = rendezvous.everyoneReady(step: number) {
                // The timeout counts from the moment the last shard was ready, as one process would count it.
                if deadline == nil, let timeout {
                    deadline = runner.elapsedSeconds + timeout - Double(HostClock.now().microseconds - everyone) / 1e6
                }
                var holds = true
                if let condition {
                    holds = rendezvous.fleetLive(step: number).map { ExpectationEvaluator(report: $0).holds(condition.comparison) } ?? false
                }
                if holds {
                    let at = HostClock.now().microseconds + Int64(rendezvous.stepMargin * 1_000_000)
                    return follow(rendezvous.decide(step: number, .go(atMicros: at)), i, condition, timeout)
                }
                if let deadline, runner.elapsedSeconds >= deadline {
                    return follow(rendezvous.decide(step: number, .timedOut(by: rendezvous.slice.index)), i, condition, timeout)
                }
            }
            sleepFor(pollInterval)
        }
        return .stopped
    }

    private func follow(_ decision: ShardRendezvous.Decision, _ i: Int, _ condition: Condition?, _ timeout: Double?) -> Agreement {
        switch decision {
        case .go(let at):
            let wait = Double(at - HostClock.now().microseconds) / 1e6
            guard sleep(until: runner.elapsedSeconds + max(0, wait)) else { return .stopped }
            return .proceed
        case .timedOut(let by):
            return .timedOut("'" + (condition?.text ?? "previous step") + "' did not hold fleet-wide within "
                             + Units.format(TimeSpan(microseconds: Int64((timeout ?? 0) * 1e6))) + " (decided by shard " + String(by) + ")")
        }
    }

    private func sleepFor(_ seconds: Double) { _ = sleep(until: min(runner.elapsedSeconds + seconds, runEnd + 3600)) }
}
