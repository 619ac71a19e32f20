import DeviceCore
import Foundation
import XCTest
@testable import SimFleet

/// The same small scenario on real sockets (a real Mosquitto, the embedded origin over HTTP) and
/// in virtual time gives every device the same outcome: the version it ends on, its rollbacks,
/// what it refused and why, the images it committed. Timing differs; outcomes may not.
final class VirtualTimeEquivalenceTests: XCTestCase {
    static let scenario = """
    name: equivalence
    seed: 31
    duration: 40s
    fleet:
      - name: field
        count: 8
        firmware: 1.0.0
        heartbeat: 2s
    firmware:
      - version: 1.1.0
        size: 96KB
    timeline:
      - after: all_online
        timeout: 20s
        firmware_fault: {kind: corrupt, downloads: 25%, version: 1.1.0}
      - device_fault: {kind: power_loss_during_flash, devices: 2}
      - rollout: {version: 1.1.0, cohort: all}
      - after: 'fleet.version["1.1.0"] >= 4'
        timeout: 25s
        hold: 3s
    """

    /// What a device ended with.
    struct Outcome: Equatable, CustomStringConvertible {
        var version: String
        var rollbacks: Int
        var committed: Int
        var refusals: [String]

        init(_ d: FleetDevice) {
            version = d.firmwareVersion
            rollbacks = d.counters.otaRollbacks
            committed = d.counters.otaImagesCommitted
            refusals = d.counters.otaRefusalKinds.map { $0.kind + "×" + String($0.count) }
        }

        var description: String { version + " rollbacks " + String(rollbacks) + " committed " + String(committed) + " " + refusals.joined() }
    }

    func testASmallScenarioEndsTheSameForEveryDeviceOnSocketsAndInVirtualTime() throws {
        let scenario = try parseScenario(Self.scenario)
        let plan = ScenarioPlan(scenario)
        let n = plan.devices.count

        // Virtual time.
        let virtual = try VirtualFleet(configuration: try ScenarioFleet.configuration(scenario))
        let timeline = VirtualTimeline(scenario: scenario, plan: plan)
        timeline.log = { _ in }
        let virtualReport = virtual.run(timeline: timeline)
        XCTAssertTrue(timeline.failures.isEmpty, "\(timeline.failures)")
        let inVirtualTime = (0..<n).map { virtual.inspectDevice($0, Outcome.init)! }

        // Real sockets: the same scenario through FleetRunner and TimelineDriver, the devices read
        // just before the run is torn down.
        var configuration = try ScenarioFleet.configuration(scenario)
        configuration.drainSeconds = 2
        let runner = FleetRunner(configuration: configuration)
        try runner.start()
        let driver = TimelineDriver(scenario: scenario, plan: plan, runner: runner, pollInterval: 0.05)
        driver.log = { _ in }
        nonisolated(unsafe) var onSockets: [Outcome] = []
        runner.beforeFinish = {
            driver.stop()
            onSockets = (0..<n).map { runner.inspectDevice($0, Outcome.init)! }
        }
        driver.start()
        // The outcomes are settled when the last step's hold is over: no need to sit out the rest.
        let steps = scenario.timeline.count
        DispatchQueue.global().async {
            let giveUp = Date().addingTimeInterval(60)
            while driver.phases.count < steps && driver.failures.isEmpty && Date() < giveUp { usleep(50_000) }
            runner.requestStop()
        }
        let socketReport = runner.runToCompletion()
        XCTAssertTrue(driver.failures.isEmpty, "\(driver.failures)")

        XCTAssertEqual(onSockets.count, n)
        for i in 0..<n {
            XCTAssertEqual(inVirtualTime[i], onSockets[i], "device \(i) (\(plan.devices[i].id))")
        }
        // The faults really bit, in both.
        let corrupted = Set(plan.steps[0].targets), cut = Set(plan.steps[1].targets)
        XCTAssertEqual(corrupted.count, 2)
        XCTAssertEqual(cut.count, 2)
        for i in corrupted.subtracting(cut) { XCTAssertEqual(inVirtualTime[i].refusals, ["invalid_image×1"], "device \(i)") }
        for i in cut { XCTAssertEqual(inVirtualTime[i].version, "1.0.0", "device \(i) lost power mid-write") }
        XCTAssertEqual(virtualReport.versions, socketReport.versions)
        XCTAssertEqual(virtualReport.powerCutsDuringFlash, socketReport.powerCutsDuringFlash)
        XCTAssertEqual(virtualReport.bricked, 0)
        XCTAssertEqual(socketReport.bricked, 0)
    }

    /// A release whose image says another `app_version` (a release candidate shipped as 1.1.0): both
    /// runtimes build the same image, and the devices report the release's name (`versionSource`
    /// release), as both reports' version counts do.
    func testAReleaseIsCountedByTheNameItsDevicesReportOnSocketsAndInVirtualTime() throws {
        let text = """
            name: release-name
            seed: 8
            duration: 30s
            fleet:
              - name: field
                count: 3
                firmware: 1.0.0
                heartbeat: 1s
            firmware:
              - {version: 1.1.0, size: 32KB, app_version: 1.1.0-rc2}
            timeline:
              - after: all_online
                rollout: {version: 1.1.0, cohort: all}
            """
        let virtual = try VirtualStepRun(text)
        XCTAssertEqual(virtual.versions(), [0: "1.0.0", 1: "1.0.0", 2: "1.0.0"])
        advance(virtual.fleet, until: "every device reports 1.1.0", limit: .seconds(25)) {
            (0..<3).allSatisfy { virtual.fleet.inspectDevice($0, { $0.firmwareVersion }) == "1.1.0" }
        }
        XCTAssertEqual(virtual.versions(), [0: "1.1.0", 1: "1.1.0", 2: "1.1.0"])
        let virtualReport = virtual.finish()

        let sockets = try ScenarioStepRun(text)
        awaitCondition("every device reports 1.1.0", timeout: 40) {
            (0..<3).allSatisfy { sockets.runner.inspectDevice($0, { $0.firmwareVersion }) == "1.1.0" }
        }
        XCTAssertEqual(sockets.versions(), [0: "1.1.0", 1: "1.1.0", 2: "1.1.0"])
        let socketReport = sockets.finish()
        XCTAssertEqual(virtualReport.versions, ["1.1.0": 3])
        XCTAssertEqual(virtualReport.versions, socketReport.versions)
        // The image is the same bytes in both: its app descriptor says 1.1.0-rc2.
        let inVirtualTime = try XCTUnwrap(virtual.fleet.firmware).image("1.1.0")
        let onSockets = try XCTUnwrap(sockets.runner.firmware).image("1.1.0")
        XCTAssertEqual(hexString(inVirtualTime.digest), hexString(onSockets.digest))
        XCTAssertNotNil(inVirtualTime.bytes.firstRange(of: Array("1.1.0-rc2".utf8)), "virtual time's image says its app_version")
        XCTAssertNotNil(onSockets.bytes.firstRange(of: Array("1.1.0-rc2".utf8)))
    }
}
