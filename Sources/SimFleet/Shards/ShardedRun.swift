import DeviceCore
import Foundation

/// A scenario run as one shard of several (`simfleet run SCENARIO --shard I/N`): the slice it runs,
/// and how the shards start together — through a directory they share (`--sync-dir`, which also
/// lets them agree on `after:` conditions and on when each step starts) or at a wall-clock time
/// given to all of them (`--start-at`, timelines of `at:` steps only).
public struct ShardOptions: Sendable {
    public var slice: FleetSlice
    public var syncDirectory: String?
    /// Ramp start for every shard, Unix µs (`--start-at`).
    public var startAtMicros: Int64?

    public init(slice: FleetSlice, syncDirectory: String? = nil, startAtMicros: Int64? = nil) {
        self.slice = slice
        self.syncDirectory = syncDirectory
        self.startAtMicros = startAtMicros
    }

    /// How the start is agreed, for the report (`shard.started_by`).
    var startedBy: String { syncDirectory != nil ? "sync-dir" : "start-at" }
}

/// What a sharded run supports, and the changes it makes to the run's configuration.
public enum ShardSupport {
    /// Reasons `scenario` cannot run sharded with `options` (each an exit-2 error), in file order.
    ///
    /// Supported: every step the runtime supports, each shard acting on its own devices among the
    /// plan's targets. With `--sync-dir`, steps that start after the previous one or when an
    /// `after:` condition holds start on every shard at one agreed instant, the condition judged on
    /// the sum of all shards' live figures. With `--start-at` alone the shards cannot talk, so only
    /// `at:` steps (fixed times from the common start) are supported.
    public static func unsupported(_ scenario: Scenario, _ options: ShardOptions) -> [ScenarioError] {
        var out: [ScenarioError] = []
        let shard = SourcePosition.flag("--shard")
        if options.syncDirectory == nil && options.startAtMicros == nil {
            out.append(ScenarioError("--shard needs --sync-dir DIR (a directory every shard sees) or --start-at TIME, "
                                     + "so that the shards start their ramps together", at: shard, key: "shard"))
        }
        if options.syncDirectory == nil {
            for (i, step) in scenario.timeline.enumerated() {
                switch step.trigger {
                case .at: continue
                case .after(let condition, _):
                    out.append(ScenarioError("timeline step " + String(i + 1) + " waits for '" + condition.text
                                             + "': with --shard the shards agree on that only through --sync-dir",
                                             at: step.position, key: "after"))
                case .afterPrevious:
                    out.append(ScenarioError("timeline step " + String(i + 1) + " (" + step.kind + ") starts when the previous one "
                                             + "ends: with --shard that needs --sync-dir (or give it 'at:')",
                                             at: step.position, key: step.kind))
                }
            }
        }
        let fleetSize = scenario.deviceCount
        if options.slice.count > fleetSize {
            out.append(ScenarioError("--shard " + options.slice.description + ": more shards than the scenario's "
                                     + String(fleetSize) + " devices", at: shard, key: "shard"))
        }
        return out
    }

    /// The slice, and a portal address block that depends on the seed, not on the process: every
    /// shard gives a device the address it has in the whole fleet, so shards never collide.
    static func configure(_ c: inout FleetConfiguration, _ scenario: Scenario, _ options: ShardOptions) {
        c.slice = options.slice
        if c.accessPoints != nil { c.accessPoints?.block = AccessPointExposure.block(seed: scenario.seed) }
    }

    /// The start gate of a shard: the rendezvous' barrier, or the given instant.
    static func gate(_ options: ShardOptions, rendezvous: ShardRendezvous?, runner: FleetRunner,
                     log: @escaping @Sendable (String) -> Void) -> @Sendable () throws -> Int64? {
        if let rendezvous {
            return { [unowned runner] in try rendezvous.awaitStart(log: log, cancelled: { runner.stopFlag.load(ordering: .acquiring) }) }
        }
        let at = options.startAtMicros
        return {
            if let at, at < HostClock.now().microseconds {
                log("simfleet: --start-at is " + String(printf: "%.1f", Double(HostClock.now().microseconds - at) / 1e6)
                    + " s in the past: starting now")
                return nil
            }
            return at
        }
    }
}
