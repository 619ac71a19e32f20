import DeviceCore
import Foundation

extension ScenarioRun {
    /// `simfleet run --virtual-time SCENARIO`: the same scenario on a `VirtualFleet` — the same
    /// plan, devices, timeline and expectations, no sockets — judged and written as a socket run is.
    /// A feature virtual time cannot carry is a setup error naming its line (exit 2).
    public static func executeVirtual(_ scenario: Scenario, options: Options, threads: Int = 1,
                                      stopSignal: (@escaping @Sendable () -> Void) -> Void = { _ in }) throws -> Outcome {
        if let first = VirtualTimeSupport.unsupported(scenario).first { throw SetupError(description: first.description) }
        var configuration = try setup(scenario)
        if let configure = options.configure {
            do { try configure(&configuration) } catch { throw SetupError(description: String(describing: error)) }
        }
        let fleet: VirtualFleet
        do { fleet = try VirtualFleet(configuration: configuration, options: VirtualFleet.Options(threads: threads)) } catch {
            throw SetupError(description: "cannot build the virtual fleet: " + String(describing: error))
        }
        stopSignal { fleet.requestStop() }
        let timeline = VirtualTimeline(scenario: scenario, plan: ScenarioPlan(scenario))
        if options.progress {
            fleet.onSample = { s, elapsed in
                let line = String(printf: "\r[%7.0fs virtual] connecting %d  online %d/%d  errors %d   ", elapsed, s.connecting,
                                  s.online, s.requested, s.errorTotal)
                StandardStream.error.write(line)
            }
        }
        var report = fleet.run(timeline: timeline)
        if options.progress { StandardStream.error.write("\n") }
        report.stormDisconnects = timeline.disconnects
        report.phases = timeline.phases
        return try conclude(report, judged: scenario, timelineFailures: timeline.failures, options: options)
    }
}
