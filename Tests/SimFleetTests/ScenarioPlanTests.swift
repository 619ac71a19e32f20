import DeviceCore
import XCTest
@testable import SimFleet

final class ScenarioPlanTests: XCTestCase {
    let text = minimalScenario("""
    timeline:
      - rollout: {version: 1.2.0, cohort: 10%}
      - device_fault: {kind: power_cycle, devices: 7}
      - firmware_fault: {kind: corrupt, downloads: 20%}
      - wait: 1s
    """, count: 100)

    func plan(seed: UInt64) throws -> ScenarioPlan {
        ScenarioPlan(ScenarioOverrides(seed: seed).apply(to: try parseScenario(text)))
    }

    func testSameSeedGivesTheSameIDsCohortsAndFaultTargets() throws {
        XCTAssertEqual(try plan(seed: 42), try plan(seed: 42))
    }

    func testAnotherSeedChoosesOtherCohorts() throws {
        let a = try plan(seed: 1), b = try plan(seed: 2)
        XCTAssertNotEqual(a.steps[0].targets, b.steps[0].targets)
        XCTAssertEqual(a.devices.map(\.id), b.devices.map(\.id), "ids without {rand} do not depend on the seed")
    }

    func testCohortSizesFollowTheScenario() throws {
        let p = try plan(seed: 3)
        XCTAssertEqual(p.steps.map(\.targets.count), [10, 7, 20, 0])
        for step in p.steps {
            XCTAssertEqual(step.targets, step.targets.sorted())
            XCTAssertEqual(Set(step.targets).count, step.targets.count, "no device is picked twice")
        }
        XCTAssertEqual(p.devices.first?.id, "esp32c6-000001")
        XCTAssertEqual(p.devices.last?.id, "esp32c6-000100")
    }

    func testRandomIDsAreSeeded() throws {
        let s = try parseScenario("name: t\nduration: 1m\nfleet: [{count: 3, id: 'dev-{rand:8}'}]\nseed: 9\n")
        let ids = ScenarioPlan(s).devices.map(\.id)
        XCTAssertEqual(ids, ScenarioPlan(s).devices.map(\.id))
        XCTAssertEqual(Set(ids).count, 3)
        XCTAssertTrue(ids.allSatisfy { $0.count == 12 && $0.hasPrefix("dev-") })
        XCTAssertNotEqual(ids, ScenarioPlan(ScenarioOverrides(seed: 10).apply(to: s)).devices.map(\.id))
    }

    func testSelectorsLimitTheCohortToTheirGroup() throws {
        let s = try parseScenario("""
        name: t
        duration: 1m
        fleet:
          - {name: a, count: 10, id: 'a-{n}'}
          - {name: b, count: 10, id: 'b-{n}', firmware: 0.9.0}
        firmware: [{version: 1.2.0}]
        timeline:
          - rollout: {version: 1.2.0, cohort: 50%, group: b}
          - rollout: {version: 1.2.0, cohort: all, from_version: 1.0.0}
        """)
        let p = ScenarioPlan(s)
        XCTAssertEqual(p.targetIDs(ofStep: 0).count, 5)
        XCTAssertTrue(p.targetIDs(ofStep: 0).allSatisfy { $0.hasPrefix("b-") })
        XCTAssertEqual(p.targetIDs(ofStep: 1), (1...10).map { "a-" + String($0) })
        XCTAssertEqual(p.devices.count, 20)
        XCTAssertEqual(p.devices[9], ScenarioPlan.Device(id: "a-10", group: "a", chip: .esp32c6, firmwareVersion: "1.0.0", provisioned: true))
        XCTAssertEqual(p.devices[10], ScenarioPlan.Device(id: "b-1", group: "b", chip: .esp32c6, firmwareVersion: "0.9.0", provisioned: true),
                       "each device reads its own group's facts")
    }

    func testShareRoundsUpSoASmallFleetStillGetsACanary() {
        XCTAssertEqual(DeviceCount.share(0.1).resolve(eligible: 5), 1)
        XCTAssertEqual(DeviceCount.share(0.1).resolve(eligible: 100), 10)
        XCTAssertEqual(DeviceCount.share(1).resolve(eligible: 7), 7)
        XCTAssertEqual(DeviceCount.count(50).resolve(eligible: 7), 7)
    }

    func testScaleShrinksGroupsAndFixedCountsButKeepsShares() throws {
        let s = ScenarioOverrides(scale: 0.1, duration: .seconds(20)).apply(to: try parseScenario(text))
        XCTAssertEqual(s.fleet[0].count, 10)
        XCTAssertEqual(s.duration, .seconds(20))
        XCTAssertEqual(ScenarioPlan(s).steps.map(\.targets.count), [1, 1, 2, 0])
        let tiny = ScenarioOverrides(scale: 0.001).apply(to: try parseScenario(text))
        XCTAssertEqual(tiny.fleet[0].count, 1, "never below one device")
    }
}
