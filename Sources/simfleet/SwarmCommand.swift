import ArgumentParser
import DeviceCore
import Foundation
import SimFleet

/// `simfleet swarm`: random fault schedules in virtual time, invariants checked after every event.
struct SwarmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swarm",
        abstract: "Swarm-test the firmware: random fault schedules in virtual time, invariants checked after each event.",
        discussion: """
            Each seed builds a fleet (anti-rollback and rollback on, genuine releases with rising secure versions, \
            one release that cannot reach the broker, rogue images) and a random schedule of rollouts, rogue offers, \
            power cuts at any flash operation (the operation left torn), partitions, corrupt, truncated and dropped \
            downloads, broker restarts and reboots mid-rollout, then runs it in virtual time. After every boot, event \
            and received status, and at the end, it checks: every device boots a valid image; no device runs an image \
            it refused; anti-rollback never goes down; heartbeat sequence numbers are monotonic per boot; every \
            acknowledged heartbeat is delivered; every device is back online once the faults end.

            A failing seed is shrunk to the fewest schedule events that still break the same invariant and printed \
            with its event trace; --seed N replays it exactly.

            Examples:
              simfleet swarm --seeds 1..200
              simfleet swarm --seeds 1..1000 --devices 50
              simfleet swarm --seed 137 --trace

            Exit status: 0 every seed held every invariant, 1 a seed broke one, 2 invalid input.
            """
    )

    @Option(help: "A range of seeds, e.g. 1..1000 (default 1..100).") var seeds: String?
    @Option(help: "Replay one seed (a failure prints its whole trace; --trace prints it for a passing seed too).") var seed: UInt64?
    @Option(help: "Devices per run (default 50).") var devices: Int = 50
    @Option(help: "Simulated length of each run, e.g. 15m (default 15m; the last 2 minutes are quiet).") var duration: String = "15m"
    @Flag(help: "Print the trace of every failing run in full, not only the failing device's part.") var trace = false
    @Flag(help: "Do not shrink a failing schedule (faster, longer trace).") var noShrink = false
    @Flag(help: "One line per seed.") var verbose = false

    func run() throws {
        guard (1...10_000).contains(devices) else { throw usage("--devices wants 1…10000, got \(devices)") }
        let seconds: Double
        do {
            let span = try RunCommand.duration(duration, flag: "--duration", within: .seconds(180) ... .seconds(86_400), wants: "3m…24h")
            seconds = Double(span.microseconds) / 1e6
        } catch { throw usage(error.message) }
        let range: ClosedRange<UInt64>
        if let seed {
            guard seeds == nil else { throw usage("--seed and --seeds go separately") }
            range = seed...seed
        } else {
            let text = seeds ?? "1..100"
            let parts = text.components(separatedBy: "..")
            guard parts.count == 2, let lo = UInt64(parts[0]), let hi = UInt64(parts[1]), lo <= hi else {
                throw usage("--seeds wants a range like 1..1000, got '\(text)'")
            }
            range = lo...hi
        }
        let runner = SwarmRun(options: .init(devices: devices, duration: .milliseconds(Int64(seconds * 1000))))
        let started = Date()
        var failures = 0
        var totals = (committed: 0, rollbacks: 0, refusals: 0, cuts: 0)
        for s in range {
            let result = runner.run(seed: s)
            totals.committed += result.committed
            totals.rollbacks += result.rollbacks
            totals.refusals += result.refusals
            totals.cuts += result.powerCuts
            if verbose || seed != nil {
                print("seed \(s): \(result.schedule.events.count) events, \(result.committed) updates committed, "
                      + "\(result.rollbacks) rollbacks, \(result.refusals) refusals, \(result.powerCuts) power cuts during flash — "
                      + (result.violation == nil ? "ok" : "FAILED"))
            }
            guard let violation = result.violation else {
                if seed != nil && trace {
                    for event in result.schedule.events { print("    " + event.description) }
                    for line in result.trace { print("    " + line) }
                }
                continue
            }
            failures += 1
            print("seed \(s) FAILED: \(violation)")
            let minimal = noShrink ? result : Swarm.shrink(result, with: runner)
            print("  minimal schedule (\(minimal.schedule.events.count) of \(result.schedule.events.count) events still break it):")
            for event in minimal.schedule.events { print("    " + event.description) }
            print("  trace" + (trace || seed != nil ? "" : " (the failing device and the swarm's events)") + ":")
            for line in (trace || seed != nil ? minimal.trace : Swarm.minimalTrace(minimal)) { print("    " + line) }
            print("  replay: simfleet swarm --seed \(s) --devices \(devices) --duration \(duration)")
        }
        let count = range.count
        print("swarm: \(count) seeds, \(devices) devices, \(duration) each, in \(String(printf: "%.1f", Date().timeIntervalSince(started))) s: "
              + "\(totals.committed) updates committed, \(totals.rollbacks) rollbacks, \(totals.refusals) refusals, "
              + "\(totals.cuts) power cuts during flash; \(failures == 0 ? "every invariant held" : "\(failures) seeds FAILED")")
        if failures > 0 { throw ExitCode(1) }
    }

    private func usage(_ message: String) -> ExitCode {
        StandardStream.error.write("simfleet swarm: " + message + "\n")
        return ExitCode(2)
    }
}
