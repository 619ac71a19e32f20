import DeviceCore
import XCTest
@testable import SimFleet

/// `mqtt:`, QoS 2 groups and TLS identities in scenario files, and how they reach the runtime.
final class MQTTSchemaTests: XCTestCase {
    func testTheMQTTSectionSetsVersionSessionsExpiryAndKeepalive() throws {
        let s = try parseScenario(minimalScenario("""
            mqtt: {version: 5, clean_session: false, session_expiry: 2h, message_expiry: 30s, keepalive: 20s}
            """))
        XCTAssertEqual(s.mqtt, MQTTOptions(version: .v5, cleanSession: false, sessionExpirySeconds: 7200, messageExpirySeconds: 30))
        XCTAssertEqual(s.keepAlive, .seconds(20))
        let c = try ScenarioFleet.configuration(s)
        XCTAssertEqual(c.mqtt, s.mqtt)
        XCTAssertEqual(c.keepAliveSeconds, 20)
    }

    func testMQTT5PropertiesNeedVersion5AndKeepaliveIsBounded() {
        XCTAssertNotNil(scenarioError(minimalScenario("mqtt: {clean_session: false, session_expiry: 1h}")))
        XCTAssertNotNil(scenarioError(minimalScenario("mqtt: {message_expiry: 10s}")))
        XCTAssertNotNil(scenarioError(minimalScenario("mqtt: {version: 4}")))
        XCTAssertNotNil(scenarioError(minimalScenario("mqtt: {keepalive: 2s}")), "libmosquitto's minimum is 5 s")
        XCTAssertNotNil(scenarioError(minimalScenario("mqtt: {cleansession: false}")))
    }

    func testPersistentV311SessionsHaveNoExpiryAndV5DefaultsToOneHour() {
        XCTAssertEqual(MQTTOptions(version: .v5, cleanSession: false).effectiveSessionExpirySeconds, 3600)
        XCTAssertEqual(MQTTOptions(version: .v5, cleanSession: true).effectiveSessionExpirySeconds, 0)
    }

    func testGroupsMayPublishHeartbeatsAtQoS2() throws {
        let s = try parseScenario("""
            name: q2
            duration: 30s
            fleet:
              - {count: 3, qos: 2}
            """)
        XCTAssertEqual(s.fleet[0].qos, 2)
        XCTAssertEqual(try ScenarioFleet.configuration(s).qos, 2)
        XCTAssertNotNil(scenarioError("name: q3\nduration: 30s\nfleet:\n  - {count: 3, qos: 3}\n"))
    }

    func testTLSWithoutACAUsesTheSystemStoreAndCertificatesMayBeTemplates() throws {
        let s = try parseScenario("""
            name: tls
            duration: 30s
            backend:
              broker: mqtts://broker.example:8883
              tls: {cert: "certs/{id}.pem", key: "certs/{id}.key"}
            fleet:
              - {count: 2, id: "dev-{n}"}
            """)
        let c = try ScenarioFleet.configuration(s)
        guard case .external(_, _, let tls?) = c.broker else { return XCTFail("\(c.broker)") }
        XCTAssertNil(tls.caFile)
        XCTAssertTrue(tls.isTemplate)
        XCTAssertEqual(tls.resolved(n: 2, id: "dev-2", chip: "esp32c6", mac: "").certFile, "certs/dev-2.pem")
        XCTAssertNotNil(scenarioError("""
            name: tls
            duration: 30s
            backend:
              broker: mqtts://broker.example:8883
              tls: {cert: "certs/{id}.pem"}
            fleet:
              - {count: 2}
            """), "a certificate without its key")
    }

    func testOnlyTheDevicesANetworkFaultTargetsGoThroughTheProxy() throws {
        let cohort = try parseScenario(minimalScenario("timeline:\n  - network_fault: {kind: latency, delay: 100ms, devices: 3}"))
        guard case .some(let set) = ScenarioFleet.proxiedDevices(cohort) else { return XCTFail("a cohort") }
        XCTAssertEqual(set, Set(ScenarioPlan(cohort).steps[0].targets))
        XCTAssertEqual(set.count, 3)
        let outage = try parseScenario(minimalScenario("timeline:\n  - broker_outage: {down: 5s}"))
        XCTAssertEqual(ScenarioFleet.proxiedDevices(outage), .all)
        let none = try parseScenario(minimalScenario("timeline:\n  - wait: 5s"))
        XCTAssertEqual(ScenarioFleet.proxiedDevices(none), ProxiedDevices.none)
    }

    func testTheDescriptorBudgetCountsThreePerProxiedDevice() {
        XCTAssertEqual(DescriptorBudget.needed(devices: 1000, proxied: 0), 1000)
        XCTAssertEqual(DescriptorBudget.needed(devices: 1000, proxied: 1000), 3000)
        XCTAssertEqual(DescriptorBudget.needed(devices: 1000, proxied: 10), 1020)
        let budget = DescriptorBudget(softLimit: 20_000, hardLimit: 20_000, openAtStart: 44)
        XCTAssertEqual(budget.proxiedDeviceCeiling, (20_000 - 44 - DescriptorBudget.reserve) / 3)
        let message = FleetError.tooManyProxiedDevices(requested: 9000, proxied: 9000, available: 19_700, fdLimit: 20_000).description
        XCTAssertTrue(message.contains("three descriptors each"), message)
    }
}
