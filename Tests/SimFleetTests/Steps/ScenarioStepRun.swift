import DeviceCore
import Foundation
import XCTest
@testable import SimFleet

/// A scenario running on the real runtime (embedded mosquitto and origin) with its timeline, held
/// open so a test can look at the devices before the report is made.
final class ScenarioStepRun {
    let scenario: Scenario
    let plan: ScenarioPlan
    let runner: FleetRunner
    let driver: TimelineDriver

    init(_ text: String) throws {
        scenario = try parseScenario(text)
        plan = ScenarioPlan(scenario)
        var c = try ScenarioFleet.configuration(scenario)
        c.drainSeconds = 2
        runner = FleetRunner(configuration: c)
        try runner.start()
        driver = TimelineDriver(scenario: scenario, plan: plan, runner: runner, pollInterval: 0.05)
        driver.log = { _ in }
        let driver = self.driver
        runner.beforeFinish = { driver.stop() }
        driver.start()
    }

    /// Every device's running version, by fleet index.
    func versions() -> [Int: String] { runner.runningVersions(devices: Array(plan.devices.indices)) }

    /// Targets of timeline step `index` (0-based).
    func targets(_ index: Int) -> [Int] { plan.steps[index].targets }

    /// Ends the run and returns the report with the timeline's tallies, as `simfleet run` does.
    func finish() -> FleetReport {
        runner.requestStop()
        var report = runner.finish()
        report.provisioning = driver.provisioning
        report.stormDisconnects = driver.disconnects
        report.phases = driver.phases
        report.faults = runner.faultImpacts(driver.faultWindows)
        return report
    }
}

/// The header of a test scenario: `count` devices on 1.0.0 with a 1.1.0 image to roll out.
func otaScenario(count: Int, size: String = "64KB", _ timeline: String) -> String {
    """
    name: steps
    seed: 5
    duration: 60s
    fleet:
      - name: field
        count: \(count)
        heartbeat: 1s
    firmware:
      - version: 1.1.0
        size: \(size)
    timeline:
    \(timeline)
    """
}
