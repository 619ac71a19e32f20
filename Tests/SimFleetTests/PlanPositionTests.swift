import DeviceCore
import XCTest
@testable import SimFleet

/// Every check of the plan's pass (`ScenarioFleet.configuration`: the runtime's support, the
/// broker, credentials, registration templates, topics) names the line and column of the YAML value
/// it concerns, wherever that value sits in the file; a value a flag replaced is named as the flag.
final class PlanPositionTests: XCTestCase {
    /// The plan's error for `text`, failing the test when the plan is made.
    func planError(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> ScenarioError? {
        let s = try parseScenario(text)
        do {
            _ = try ScenarioFleet.configuration(s)
            XCTFail("the plan was made", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    /// The 1-based line of `text` holding `marker`, and the column where the marker starts.
    func place(of marker: String, in text: String) -> (line: Int, column: Int) {
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if let r = line.range(of: marker) { return (i + 1, line.distance(from: line.startIndex, to: r.lowerBound) + 1) }
        }
        XCTFail("no '" + marker + "' in the text")
        return (0, 0)
    }

    /// `body` placed after 0, 3 and 7 lines of other settings, so that the value moves in the file.
    func shifted(_ body: String) -> [String] {
        let fillers = ["", "description: moved down\nseed: 4\n# a comment\n",
                       "description: further\nseed: 4\nwifi:\n  - {ssid: home, password: secret123}\n# one\n# two\n# three\n"]
        return fillers.map { "name: t\nduration: 30s\n" + $0 + "fleet:\n  - count: 2\n" + body }
    }

    func assertNamed(_ body: String, value marker: String, key: String, message: String,
                     file: StaticString = #filePath, line: UInt = #line) throws {
        for text in shifted(body) {
            guard let error = try planError(text, file: file, line: line) else { continue }
            let at = place(of: marker, in: text)
            XCTAssertEqual(error.position, SourcePosition(file: "t.yaml", line: at.line, column: at.column),
                           error.description, file: file, line: line)
            XCTAssertEqual(error.key, key, file: file, line: line)
            XCTAssertTrue(error.message.contains(message), error.description, file: file, line: line)
        }
    }

    func testAFirmwareImageFromAFileIsRefusedAtItsOwnFileKey() throws {
        try assertNamed("firmware:\n  - version: 1.1.0\n  - version: 1.2.0\n    file: images/fw-1.2.0.bin\n",
                        value: "images/fw-1.2.0.bin", key: "file", message: "not supported yet: firmware images from a file")
    }

    func testACLFalseIsRefusedAtTheACLValue() throws {
        try assertNamed("backend:\n  embedded:\n    acl: false\n", value: "false", key: "acl", message: "not supported yet: 'acl: false'")
    }

    func testVerifyHostnameFalseIsRefusedAtItsValue() throws {
        try assertNamed("backend:\n  broker: mqtts://127.0.0.1:8883\n  tls:\n    ca: ca.pem\n    verify_hostname: false\n",
                        value: "false", key: "verify_hostname", message: "not supported yet: 'verify_hostname: false'")
    }

    func testABrokerURLTheRuntimeCannotUseIsRefusedAtTheBrokerValue() throws {
        try assertNamed("backend:\n  api: http://127.0.0.1:9\n  broker: mqtt://127.0.0.1:99999\n",
                        value: "mqtt://127.0.0.1:99999", key: "broker", message: "the runtime cannot use broker")
    }

    func testAnUnsetVariableInACredentialIsNamedAtThatCredential() throws {
        try assertNamed("backend:\n  broker: mqtt://127.0.0.1:1883\n  username: '{id}'\n  password: '{env:SIMFLEET_UNSET_PLAN_TEST}'\n",
                        value: "'{env:SIMFLEET_UNSET_PLAN_TEST}'", key: "SIMFLEET_UNSET_PLAN_TEST", message: "is not set")
        try assertNamed("backend:\n  broker: mqtt://127.0.0.1:1883\n  observer_username: '{env:SIMFLEET_UNSET_PLAN_TEST}'\n",
                        value: "'{env:SIMFLEET_UNSET_PLAN_TEST}'", key: "SIMFLEET_UNSET_PLAN_TEST", message: "is not set")
    }

    func testAnUnsetVariableInARegistrationHeaderIsNamedAtThatHeader() throws {
        try assertNamed("""
        backend:
          api: http://127.0.0.1:9
          register:
            headers:
              - 'X-Fleet: simfleet'
              - 'Authorization: Bearer {env:SIMFLEET_UNSET_PLAN_TEST}'

        """, value: "'Authorization", key: "SIMFLEET_UNSET_PLAN_TEST", message: "the registration templates name")
    }

    func testATopicLayoutTheEmbeddedBrokerCannotConfineIsRefusedAtTopics() throws {
        try assertNamed("topics:\n  status: 'fleet/status-{id}'\n", value: "status:", key: "topics",
                        message: "has no level that is exactly {id}")
    }

    func testNoCheckOfThePlanFallsBackToTheFilesFirstCharacter() throws {
        for body in ["backend:\n  embedded:\n    acl: false\n", "firmware:\n  - version: 1.2.0\n    file: fw.bin\n",
                     "backend:\n  broker: mqtt://h:0\n", "topics:\n  status: 'b/{n}/status'\n"] {
            for text in shifted(body) {
                guard let error = try planError(text) else { continue }
                XCTAssertNotEqual(error.position.line, 1, error.description)
            }
        }
    }

    func testAValueAFlagReplacedIsNamedAsTheFlag() throws {
        let s = try parseScenario("name: t\nduration: 30s\nbackend:\n  broker: mqtt://127.0.0.1:1883\nfleet:\n  - count: 2\n")
        var overrides = ScenarioOverrides()
        overrides.backend = .external(ExternalBackend(broker: "mqtt://127.0.0.1:70000"))
        XCTAssertThrowsError(try ScenarioFleet.configuration(overrides.apply(to: s))) { error in
            let e = error as? ScenarioError
            XCTAssertEqual(e?.position, .flag("--broker"))
            XCTAssertTrue(e?.description.hasPrefix("--broker: the runtime cannot use broker") == true, "\(error)")
        }
        overrides = ScenarioOverrides()
        overrides.topics = try TopicLayout(prefix: "fleet")
        let flagged = overrides.apply(to: try parseScenario("name: t\nduration: 30s\ntopics:\n  prefix: acme\nfleet:\n  - count: 2\n"))
        XCTAssertEqual(flagged.position(of: "topics.prefix"), .flag("--topic-prefix"), "the file's topics are no longer the run's")
        XCTAssertEqual(flagged.position(of: "fleet[0].count").line, 6, "what no flag replaced stays at its line")
    }

    func testTheEmbeddedBrokersAccountsAreCheckedByThePlanNamingTheUsernameFlag() {
        var f = FleetFlags()
        f.devices = 3
        var s = Scenario.oneGroup(f, backend: .embedded(EmbeddedBackend(username: "user-{n}")))
        s.sourceMap.set("backend.username", to: .flag("--username"))
        XCTAssertThrowsError(try ScenarioFleet.configuration(s)) { error in
            XCTAssertEqual((error as? ScenarioError)?.position, .flag("--username"))
            XCTAssertTrue("\(error)".contains("must be its id"), "\(error)")
        }
        s.backend = .embedded(EmbeddedBackend(username: "{id}", password: "pw-{n}"))
        XCTAssertEqual(try ScenarioFleet.configuration(s).deviceSpec(2).password, "pw-3")
    }

    func testVirtualTimeRefusalsNameTheLineOfWhatTheyRefuse() throws {
        let text = """
        name: t
        duration: 30s
        backend:
          api: http://127.0.0.1:9
        fleet:
          - count: 2
          - name: portal
            count: 1
            id: 'ap-{n}'
            provisioned: false
            qos: 2
        device_http:
          port: 8081

        """
        let errors = VirtualTimeSupport.unsupported(try parseScenario(text))
        XCTAssertEqual(errors.map(\.key), ["api", "qos", "provisioned", "device_http"])
        XCTAssertEqual(errors.map(\.position.line), [4, 11, 10, 13], errors.map(\.description).joined(separator: "\n"))
    }

    func testTheRuntimesRefusalsStillNameTheirLines() throws {
        let text = minimalScenario("backend:\n  embedded:\n    acl: false\ntimeline:\n  - provision: {devices: all}\n")
        let errors = RuntimeSupport.unsupported(try parseScenario(text))
        XCTAssertEqual(errors.map(\.key), ["acl", "provision"])
        XCTAssertEqual(errors.map(\.position.line), [10, 12], errors.map(\.description).joined(separator: "\n"))
    }

    func testAFlagIsPrintedByNameWhereAFileGivesLineAndColumn() {
        XCTAssertEqual(ScenarioError("wants more", at: .flag("--shard"), key: "shard").description, "--shard: wants more")
        XCTAssertEqual(ScenarioError("x", at: SourcePosition(file: "a.yaml", line: 3, column: 5)).description, "a.yaml:3:5: x")
    }
}
