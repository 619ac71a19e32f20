import DeviceCore
import Foundation
import XCTest
@testable import SimFleet

/// Several fleet groups in one run: plan ids (`{group}`, `{rand:N}`), per-group firmware, and a
/// group that stays off until its `ramp_up` step.
final class FleetGroupStepTests: XCTestCase {
    func testGroupsKeepTheirShapeAndALateGroupWaitsForItsRampUp() throws {
        let run = try ScenarioStepRun("""
        name: groups
        seed: 2
        duration: 40s
        fleet:
          - {name: hall, count: 2, id: "{group}-{n}", heartbeat: 1s}
          - {name: yard, count: 2, id: "{group}-{rand:6}", firmware: 1.1.0, heartbeat: 2s, start: on_ramp_up, ramp: 10/s}
        timeline:
          - after: online >= 50%
            wait: 2s
          - ramp_up: yard
        """)
        XCTAssertEqual((0..<4).map { run.runner.deviceID($0) }, run.plan.devices.map(\.id))
        XCTAssertTrue(run.plan.devices[2].id.hasPrefix("yard-"))
        awaitCondition("the hall is online", timeout: 10) { run.runner.snapshot().online == 2 }
        XCTAssertEqual(run.runner.snapshot().poweredOn, 2, "the yard waits for its ramp-up")
        awaitCondition("the yard came up after its ramp-up", timeout: 20) { run.runner.snapshot().online == 4 }
        let report = run.finish()
        XCTAssertEqual(report.versions, ["1.0.0": 2, "1.1.0": 2])
        XCTAssertEqual(report.lost, 0)
        XCTAssertTrue(run.driver.failures.isEmpty, "\(run.driver.failures)")
    }

    func testMixedChipsAreRefusedBeforeTheRun() throws {
        let s = try parseScenario("""
        name: chips
        duration: 10s
        fleet:
          - {name: a, count: 1}
          - {name: b, count: 1, chip: esp32s3}
        """)
        XCTAssertEqual(RuntimeSupport.unsupported(s).map(\.key), ["chip"])
        XCTAssertEqual(RuntimeSupport.unsupported(s).first?.position.line, 5)
    }
}
