import DeviceCore
import DeviceTestKit
import Foundation
import XCTest
@testable import SimFleet

/// A scenario running in virtual time (`VirtualFleet` with its timeline), stepped by the test:
/// `advance(until:)` moves virtual time until something has happened, as `awaitCondition` waits on
/// the wall clock for a socket run. The backend's view of status messages is recorded.
final class VirtualStepRun {
    let scenario: Scenario
    let plan: ScenarioPlan
    let fleet: VirtualFleet
    let timeline: VirtualTimeline

    init(_ text: String, threads: Int = 1) throws {
        scenario = try parseScenario(text)
        plan = ScenarioPlan(scenario)
        fleet = try VirtualFleet(configuration: try ScenarioFleet.configuration(scenario), options: .init(threads: threads))
        timeline = VirtualTimeline(scenario: scenario, plan: plan)
        timeline.log = { _ in }
        fleet.recordStatuses()
        fleet.begin(timeline: timeline)
    }

    /// Every device's running version, by fleet index.
    func versions() -> [Int: String] { fleet.runningVersions(devices: Array(plan.devices.indices)) }

    /// Targets of timeline step `index` (0-based).
    func targets(_ index: Int) -> [Int] { plan.steps[index].targets }

    /// Ends the run and returns the report with the timeline's tallies, as `simfleet run --virtual-time` does.
    func finish() -> FleetReport {
        var report = fleet.finish()
        report.stormDisconnects = timeline.disconnects
        report.phases = timeline.phases
        return report
    }
}

/// Moves virtual time until `condition` holds, failing the test when it does not within `limit`
/// of virtual time (`awaitCondition`'s counterpart: no wall clock, no polling sleep).
@discardableResult
func advance(_ fleet: VirtualFleet, until what: String, limit: TimeSpan, file: StaticString = #filePath, line: UInt = #line,
             _ condition: () -> Bool) -> Bool {
    if fleet.advance(until: condition, limit: limit) { return true }
    XCTFail("not within \(limit.milliseconds) ms of virtual time: \(what)", file: file, line: line)
    return false
}
