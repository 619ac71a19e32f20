import DeviceCore
import XCTest
@testable import SimFleet

final class RuntimeSupportTests: XCTestCase {
    func testStepsTheRuntimeCannotDoAreNamedWithTheirPosition() throws {
        let s = try parseScenario(minimalScenario("""
        timeline:
          - rollout: {version: 1.2.0}
          - ramp_up: all
          - device_fault: {kind: power_cycle}
          - provision: {devices: all}
        """))
        let errors = RuntimeSupport.unsupported(s)
        XCTAssertEqual(errors.map(\.position.line), [12])
        XCTAssertEqual(errors.map(\.key), ["provision"], "no portals: every device starts provisioned")
        XCTAssertTrue(errors.allSatisfy { $0.message.hasPrefix("not supported yet: ") })
    }

    func testConditionsOnFiguresKnownOnlyAtTheEndAreRefused() throws {
        let s = try parseScenario(minimalScenario("""
        timeline:
          - after: 'e2e_latency.p99 < 1s'
            wait: 1s
          - after: online >= 50%
            wait: 1s
        """))
        let errors = RuntimeSupport.unsupported(s)
        XCTAssertEqual(errors.count, 1)
        XCTAssertEqual(errors.first?.position.line, 9)
        XCTAssertTrue(errors.first?.message.contains("condition on latency.e2e_ms.p99 during the run") ?? false,
                      errors.first?.description ?? "")
    }

    func testABrokerGivenOnTheCommandLineRulesOutBrokerRestart() throws {
        var s = try parseScenario(minimalScenario("timeline:\n  - broker_restart: 2s"))
        XCTAssertTrue(RuntimeSupport.unsupported(s).isEmpty)
        var overrides = ScenarioOverrides()
        overrides.backend = .external(ExternalBackend(broker: "mqtt://127.0.0.1:1883"))
        s = overrides.apply(to: s)
        XCTAssertEqual(RuntimeSupport.unsupported(s).first?.key, "broker_restart")
    }

    func testLiveConditionsReadTheRuntimeSnapshot() throws {
        let allOnline = try ExpressionParser.condition("all_online", at: SourcePosition(file: "t", line: 1, column: 1))
        var snapshot = FleetSnapshot()
        snapshot.requested = 10
        snapshot.online = 9
        XCTAssertFalse(ExpectationEvaluator(report: LiveFigures.document(snapshot)).holds(allOnline.comparison))
        snapshot.online = 10
        XCTAssertTrue(ExpectationEvaluator(report: LiveFigures.document(snapshot)).holds(allOnline.comparison))
        let errors = try ExpressionParser.condition("errors.connect_refused >= 2", at: SourcePosition(file: "t", line: 1, column: 1))
        snapshot.errors = ["connect_refused": 2]
        XCTAssertTrue(ExpectationEvaluator(report: LiveFigures.document(snapshot)).holds(errors.comparison))
    }

    func testPlanAndRuntimeNameDevicesAlikeIncludingMACs() throws {
        let s = try parseScenario("name: t\nduration: 1m\nseed: 77\nfleet: [{count: 20, id: 'dev-{mac}-{n:03}'}]\n")
        let configuration = try ScenarioFleet.configuration(s)
        let plan = ScenarioPlan(s)
        XCTAssertEqual(plan.devices.map(\.id), (0..<20).map { configuration.deviceSpec($0).id })
        XCTAssertTrue(plan.devices[0].id.hasPrefix("dev-240ac4"))
    }

    func testCredentialsTakeSecretsFromTheEnvironment() throws {
        let at = SourcePosition(file: "t.yaml", line: 1, column: 1)
        XCTAssertEqual(try ScenarioFleet.expandEnvironment("{id}:{env:FLEET_SECRET}", at: at, environment: ["FLEET_SECRET": "s3"]),
                       "{id}:s3")
        XCTAssertThrowsError(try ScenarioFleet.expandEnvironment("{env:NOPE}", at: at, environment: [:])) { error in
            XCTAssertEqual((error as? ScenarioError)?.message, "the backend credentials name {env:NOPE} but NOPE is not set")
        }
    }

    func testScenarioDurationIsTheWholeRunRampIncluded() throws {
        let s = try parseScenario("name: t\nduration: 30s\nfleet: [{count: 100, ramp: 10/s}]\n")
        let c = try ScenarioFleet.configuration(s)
        XCTAssertEqual(c.durationSeconds, 20, "10 s of ramp + 20 s steady = the scenario's 30 s")
        XCTAssertEqual(c.scenarioName, "t")
        XCTAssertEqual(c.seed, 1)
    }
}

final class ACLProbeTopicsTests: XCTestCase {
    func testProbesNeverTryTheDevicesOwnTopicsAndRepeatWithTheSeed() throws {
        let s = try parseScenario("name: t\nduration: 1m\nfleet: [{count: 7}]\ntimeline:\n  - acl_probe: {attempts: 12}\n")
        let plan = ScenarioPlan(s)
        for i in plan.devices.indices {
            let topics = (0..<12).map { ACLProbeTopics.topic(device: i, attempt: $0, plan: plan) }
            XCTAssertFalse(topics.contains { $0.hasPrefix("device/" + plan.devices[i].id + "/") }, topics.joined(separator: " "))
            XCTAssertEqual(topics, (0..<12).map { ACLProbeTopics.topic(device: i, attempt: $0, plan: plan) })
        }
        XCTAssertEqual(ACLProbeTopics.topic(device: 0, attempt: 0, plan: plan), "device/esp32c6-000002/status")
        XCTAssertEqual(ACLProbeTopics.topic(device: 6, attempt: 1, plan: plan), "device/esp32c6-000001/ota")
        XCTAssertEqual(ACLProbeTopics.topic(device: 3, attempt: 4, plan: plan), "#")
    }

    func testAOneDeviceFleetProbesATopicThatIsNotItsOwn() throws {
        let s = try parseScenario("name: t\nduration: 1m\nfleet: [{count: 1}]\n")
        XCTAssertEqual(ACLProbeTopics.topic(device: 0, attempt: 0, plan: ScenarioPlan(s)), "device/esp32c6-000001-elsewhere/status")
    }
}
