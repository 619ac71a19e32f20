import DeviceCore
import Foundation
import XCTest
@testable import SimFleet

/// Several fleet groups in one run: plan ids (`{group}`, `{rand:N}`), per-group firmware, and a
/// group that stays off until its `ramp_up` step (in virtual time).
final class FleetGroupStepTests: XCTestCase {
    func testGroupsKeepTheirShapeAndALateGroupWaitsForItsRampUp() throws {
        let run = try VirtualStepRun("""
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
        XCTAssertEqual((0..<4).map { run.fleet.deviceID($0) }, run.plan.devices.map(\.id))
        XCTAssertTrue(run.plan.devices[2].id.hasPrefix("yard-"))
        advance(run.fleet, until: "the hall is online", limit: .seconds(10)) { run.fleet.snapshot().online == 2 }
        XCTAssertEqual(run.fleet.snapshot().poweredOn, 2, "the yard waits for its ramp-up")
        advance(run.fleet, until: "the yard came up after its ramp-up", limit: .seconds(20)) { run.fleet.snapshot().online == 4 }
        run.fleet.advance(to: run.fleet.now + .seconds(5))
        let report = run.finish()
        XCTAssertEqual(report.versions, ["1.0.0": 2, "1.1.0": 2])
        XCTAssertEqual(report.lost, 0)
        XCTAssertTrue(run.timeline.failures.isEmpty, "\(run.timeline.failures)")
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
