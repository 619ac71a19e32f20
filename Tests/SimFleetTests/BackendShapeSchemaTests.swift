import DeviceCore
import XCTest
@testable import SimFleet

/// `topics:`, a group's `telemetry:` and `device_http:` in scenario files.
final class BackendShapeSchemaTests: XCTestCase {
    func testTopicsTelemetryAndDeviceHTTPAreReadWithTheirDefaults() throws {
        let s = try parseScenario("""
            name: t
            duration: 60s
            topics:
              status: "tenants/acme/{id}/state"
              ota: "tenants/acme/{id}/cmd"
            device_http: {port: 8081, pool: 127.44.0.0/16}
            fleet:
              - name: field
                count: 4
                telemetry:
                  - name: climate
                    topic: "tenants/acme/{id}/climate"
                    every: 500ms
                    qos: 1
                    retain: true
                    payload: '{"t":{gauss:21.5:0.3},"seq":{seq},"ts":{ts}}'
                  - topic: "tenants/acme/{id}/raw"
                    every: 2s
            """)
        XCTAssertEqual(s.topics.status.text, "tenants/acme/{id}/state")
        XCTAssertEqual(s.topics.ota.text, "tenants/acme/{id}/cmd")
        XCTAssertEqual(s.topics.logs.text, "device/{id}/logs", "a key left out keeps the default")
        XCTAssertEqual(s.deviceHTTP, DeviceHTTPSettings(port: 8081, block: 44))
        let t = s.fleet[0].telemetry
        XCTAssertEqual(t.map(\.name), ["climate", "tenants/acme/{id}/raw"], "the topic names a stream without a name")
        XCTAssertEqual(t[0].every, .milliseconds(500))
        XCTAssertEqual(t[0].qos, 1)
        XCTAssertTrue(t[0].retain)
        XCTAssertTrue(t[0].payload.hasSequence && t[0].payload.hasTimestamp)
        XCTAssertEqual(t[1].qos, 0)
        XCTAssertFalse(t[1].retain)
        XCTAssertEqual(t[1].payloadText, FleetTelemetryStream.shorthandPayload(bytes: nil))

        let c = try ScenarioFleet.configuration(s)
        XCTAssertEqual(c.telemetry.map(\.group), ["field", "field"])
        XCTAssertEqual(c.deviceHTTP, DeviceHTTPExposure(pool: LoopbackAddressPool(block: 44), port: 8081))
        let spec = c.deviceSpec(2)
        XCTAssertEqual(spec.topics.status, "tenants/acme/{id}/state")
        XCTAssertEqual(spec.telemetry.map(\.tag), [0, 1])
        XCTAssertEqual(c.deviceTopics(2).ota, "tenants/acme/esp32c6-000003/cmd")
    }

    func testTopicsWithAPrefixAndPlaceholders() throws {
        let s = try parseScenario(minimalScenario("topics: {prefix: \"fleet/{group}\"}"))
        XCTAssertEqual(s.topics.status.text, "fleet/{group}/{id}/status")
        let c = try ScenarioFleet.configuration(s)
        XCTAssertEqual(c.deviceTopics(0).status, "fleet/main/esp32c6-000001/status", "{group} of a one-group fleet")
    }

    func testTopicMistakesPointAtTheCharacter() {
        let e = scenarioError("name: t\nduration: 1m\ntopics:\n  status: \"dev/+/{id}\"\nfleet: [{count: 1}]\n")
        XCTAssertEqual(e?.position, SourcePosition(file: "t.yaml", line: 4, column: 16))
        XCTAssertEqual(e?.key, "status")
        XCTAssertEqual(scenarioError("name: t\nduration: 1m\ntopics: {status: \"a/{id}\", ota: \"a/{id}\"}\nfleet: [{count: 1}]\n")?.message,
                       "in topics, the status and ota topics are the same")
        XCTAssertEqual(scenarioError("name: t\nduration: 1m\ntopics: {stauts: \"a/{id}\"}\nfleet: [{count: 1}]\n")?.key, "stauts")
    }

    func testTelemetryMistakes() {
        func group(_ telemetry: String) -> String {
            "name: t\nduration: 1m\nfleet:\n  - count: 2\n    telemetry:\n" + telemetry
        }
        XCTAssertEqual(try parseScenario(group("      - {topic: \"d/{id}/t\", every: 1s, qos: 2}\n")).fleet[0].telemetry.first?.qos, 2)
        XCTAssertEqual(scenarioError(group("      - {topic: \"d/{id}/t\", every: 1s, qos: 3}\n"))?.key, "qos")
        XCTAssertEqual(scenarioError(group("      - {topic: \"d/{id}/t\"}\n"))?.key, "every")
        XCTAssertEqual(scenarioError(group("      - {topic: \"d/{id}/t\", every: 1ms}\n"))?.key, "every")
        let payload = scenarioError(group("      - {topic: \"d/{id}/t\", every: 1s, payload: '{\"x\":{flaot:1:2}}'}\n"))
        XCTAssertEqual(payload?.key, "payload")
        XCTAssertEqual(payload?.position.column, 55, "at the placeholder, inside the quotes")
        let unreadable = scenarioError(group("      - {topic: \"d/{id}/t\", every: 1s, payload: '{id}{seq}'}\n"))
        XCTAssertTrue(unreadable?.message.contains("fixed text") == true)
        let twice = scenarioError(group("      - {topic: \"d/{id}/t\", every: 1s}\n      - {topic: \"d/{id}/t\", every: 2s}\n"))
        XCTAssertTrue(twice?.message.contains("two telemetry streams named") == true)
        let acrossGroups = scenarioError("""
            name: t
            duration: 1m
            fleet:
              - {name: a, count: 1, id: "a{n}", telemetry: [{name: x, topic: "a/{id}", every: 1s}]}
              - {name: b, count: 1, id: "b{n}", telemetry: [{name: x, topic: "b/{id}", every: 1s}]}
            """)
        XCTAssertTrue(acrossGroups?.message.contains("in groups 'a' and 'b'") == true)
    }

    func testStreamsTheObserverCannotTellApartFailTheRunSetupWithAPosition() throws {
        let s = try parseScenario("""
            name: t
            duration: 1m
            fleet:
              - {name: a, count: 2, id: "a{n}", telemetry: [{name: x, topic: "t/{id}", every: 1s}]}
              - {name: b, count: 2, id: "b{n}", telemetry: [{name: y, topic: "t/{id}", every: 1s}]}
            """)
        XCTAssertThrowsError(try ScenarioFleet.configuration(s)) { error in
            let e = error as? ScenarioError
            XCTAssertTrue(e?.message.contains("tell apart") == true, e?.message ?? "")
            XCTAssertEqual(e?.position.line, 5)
        }
        let separated = try parseScenario("""
            name: t
            duration: 1m
            fleet:
              - {name: a, count: 2, id: "a{n}", telemetry: [{name: x, topic: "t/{group}/{id}", every: 1s}]}
              - {name: b, count: 2, id: "b{n}", telemetry: [{name: y, topic: "t/{group}/{id}", every: 1s}]}
            """)
        let c = try ScenarioFleet.configuration(separated)
        XCTAssertEqual(c.telemetryPattern(0).filter, "t/a/+")
        XCTAssertEqual(c.telemetryPattern(1).filter, "t/b/+")
        XCTAssertEqual(c.brokerACL.observerReads, ["device/+/status", "t/+/+"])
    }

    func testCommandLineShorthandAndPrefixOverrideTheScenario() throws {
        var o = ScenarioOverrides()
        o.topics = try TopicLayout(prefix: "tenants/acme")
        o.telemetry = TelemetryShorthand(every: .seconds(1), bytes: 256)
        o.deviceHTTP = DeviceHTTPSettings(port: 9000, block: 33)
        let s = o.apply(to: try parseScenario(minimalScenario()))
        XCTAssertEqual(s.topics.ota.text, "tenants/acme/{id}/ota")
        XCTAssertEqual(s.fleetTelemetry.map(\.topic.text), ["tenants/acme/{id}/telemetry"])
        let c = try ScenarioFleet.configuration(s)
        XCTAssertEqual(c.telemetry.count, 1)
        XCTAssertNil(c.telemetry[0].group, "every group publishes it")
        XCTAssertEqual(c.deviceSpec(3).telemetry.first?.payload.paddedLength, 256)
        XCTAssertEqual(c.deviceHTTP?.url(forDevice: 254), "http://127.33.1.1:9000")
    }
}

/// The command line of the backend's shape: `--print-addresses`, the telemetry shorthand's checks.
final class BackendShapeCommandLineTests: XCTestCase {
    func testPrintAddressesListsEveryDevicesURLWithoutRunning() throws {
        let run = try Simfleet.run(["run", "--devices", "3", "--device-http", "--ap-pool", "127.41.0.0/16", "--device-http-port", "9090",
                                    "--id-template", "dev-{n}", "--print-addresses"])
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertEqual(run.output.split(separator: "\n"), ["dev-1 http://127.41.0.1:9090", "dev-2 http://127.41.0.2:9090",
                                                           "dev-3 http://127.41.0.3:9090"])
        let scenario = packageRoot.appendingPathComponent("scenarios/telemetry.yaml").path
        let fromScenario = try Simfleet.run(["run", scenario, "--device-http", "--ap-pool", "127.42.0.0/16", "--print-addresses"])
        XCTAssertEqual(fromScenario.status, 0, fromScenario.output)
        XCTAssertTrue(fromScenario.output.hasPrefix("sensor-0001 http://127.42.0.1:8080\n"), fromScenario.output)
        let without = try Simfleet.run(["run", "--devices", "3", "--print-addresses"])
        XCTAssertEqual(without.status, 2)
        XCTAssertTrue(without.output.contains("add --device-http"), without.output)
    }

    func testShorthandAndPrefixMistakesExitTwo() throws {
        for (args, says) in [(["--telemetry-bytes", "256"], "needs --telemetry-every"),
                             (["--telemetry-every", "1s", "--telemetry-bytes", "0"], "1…65536"),
                             (["--telemetry-every", "1ms"], "10ms to 1h"),
                             (["--topic-prefix", "a/+/b"], "must not contain '+'"),
                             (["--device-http-port", "9000"], "needs --device-http")] {
            let run = try Simfleet.run(["run", "--devices", "1", "--duration", "1s"] + args)
            XCTAssertEqual(run.status, 2, args.joined(separator: " "))
            XCTAssertTrue(run.output.contains(says), run.output)
        }
    }
}
