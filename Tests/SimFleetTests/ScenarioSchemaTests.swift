import DeviceCore
import XCTest
@testable import SimFleet

final class ScenarioSchemaTests: XCTestCase {
    func testMinimalScenarioGetsDocumentedDefaults() throws {
        let s = try parseScenario(minimalScenario())
        XCTAssertEqual(s.name, "t")
        XCTAssertEqual(s.seed, 1)
        XCTAssertEqual(s.duration, .seconds(60))
        XCTAssertEqual(s.backend, .embedded(EmbeddedBackend(acl: true)))
        let g = s.fleet[0]
        XCTAssertEqual(g.count, 10)
        XCTAssertEqual(g.chip, .esp32c6)
        XCTAssertEqual(g.idTemplate, "{chip}-{n:06}")
        XCTAssertEqual(g.firmwareVersion, "1.0.0")
        XCTAssertTrue(g.provisioned)
        XCTAssertEqual(g.heartbeat, .seconds(10))
        XCTAssertEqual(g.qos, 1)
        XCTAssertEqual(g.rampPerSecond, 1000)
        XCTAssertEqual(s.firmware, [FirmwareImageSpec(version: "1.2.0", source: .generated(chip: .esp32c6, size: 256 << 10),
                                                      inManifest: false)])
    }

    func testUnknownKeyInFleetGroupNamesLineColumnAndExpectedKeys() {
        let text = """
        name: t
        duration: 60s
        fleet:
          - count: 5
            heartbaet: 10s
        """
        let e = scenarioError(text)
        XCTAssertEqual(e?.position, SourcePosition(file: "t.yaml", line: 5, column: 5))
        XCTAssertEqual(e?.key, "heartbaet")
        XCTAssertEqual(e?.description, "t.yaml:5:5: unknown key 'heartbaet' in fleet group (expected one of: name, count, "
                       + "id, chip, firmware, provisioned, heartbeat, qos, ramp, start, telemetry, provisioning)")
    }

    func testUnknownTopLevelKeyIsAnError() {
        let e = scenarioError("name: t\nduration: 1m\nfleet: [{count: 1}]\nexpects: []\n")
        XCTAssertEqual(e?.position.line, 4)
        XCTAssertEqual(e?.position.column, 1)
        XCTAssertEqual(e?.key, "expects")
    }

    func testWrongTypeNamesTheKeyAndTheValue() {
        let e = scenarioError("name: t\nduration: 1m\nfleet:\n  - count: many\n")
        XCTAssertEqual(e?.description, "t.yaml:4:12: 'count' in fleet group must be a whole number, found 'many'")
        let list = scenarioError("name: t\nduration: 1m\nfleet:\n  - count: [1, 2]\n")
        XCTAssertEqual(list?.key, "count")
        XCTAssertTrue(list?.message.contains("must be a single value, found a list") ?? false)
    }

    func testOutOfRangeValuesAreRejected() {
        let qos = scenarioError("name: t\nduration: 1m\nfleet:\n  - count: 1\n    qos: 3\n")
        XCTAssertEqual(qos?.description, "t.yaml:5:10: 'qos' in fleet group must be between 0 and 2, found 3")
        let count = scenarioError("name: t\nduration: 1m\nfleet:\n  - count: 0\n")
        XCTAssertEqual(count?.position.line, 4)
        XCTAssertTrue(count?.message.contains("between 1 and 100000") ?? false)
        let heartbeat = scenarioError("name: t\nduration: 1m\nfleet:\n  - count: 1\n    heartbeat: 50ms\n")
        XCTAssertTrue(heartbeat?.message.contains("between 100ms and 1h") ?? false)
    }

    func testBadDurationIsRejectedWithPosition() {
        let e = scenarioError("name: t\nduration: 10 minutes\nfleet: [{count: 1}]\n")
        XCTAssertEqual(e?.description, "t.yaml:2:11: 'duration' in scenario must be a duration like 500ms, 10s, 5m or 1h, "
                       + "found '10 minutes': unknown unit ' minutes' (units: us, ms, s, m, h)")
        let bare = scenarioError("name: t\nduration: 1m30\nfleet: [{count: 1}]\n")
        XCTAssertEqual(bare?.description, "t.yaml:2:11: 'duration' in scenario must be a duration like 500ms, 10s, 5m or 1h, "
                       + "found '1m30': '30' has no unit (only a whole duration may be a bare number of seconds)")
    }

    func testDurationsAcceptCompoundUnits() {
        XCTAssertEqual(try Units.duration("1m30s"), .seconds(90))
        XCTAssertEqual(try Units.duration("500ms"), .milliseconds(500))
        XCTAssertEqual(try Units.duration("1.5s"), .milliseconds(1500))
        XCTAssertEqual(try Units.duration("2h"), .seconds(7200))
        XCTAssertThrowsError(try Units.duration("5 parsecs"))
        XCTAssertThrowsError(try Units.duration("s"))
    }

    func testMissingRequiredKeyIsNamed() {
        let e = scenarioError("name: t\nfleet: [{count: 1}]\n")
        XCTAssertEqual(e?.key, "duration")
        XCTAssertEqual(e?.message, "missing key 'duration' in scenario")
    }

    func testDuplicateKeysAreRejected() {
        let e = scenarioError("name: t\nduration: 1m\nfleet:\n  - count: 1\n    count: 2\n")
        XCTAssertEqual(e?.position, SourcePosition(file: "t.yaml", line: 5, column: 5))
        XCTAssertEqual(e?.message, "duplicate key 'count' in fleet group")
    }

    func testMalformedYAMLReportsThePositionLibYAMLGives() {
        let e = scenarioError("name: t\nduration: 1m\nfleet:\n  - count: 1\n   bad: [\n")
        XCTAssertNotNil(e)
        XCTAssertTrue(e?.message.hasPrefix("invalid YAML") ?? false)
        XCTAssertGreaterThanOrEqual(e?.position.line ?? 0, 4)
    }

    func testUnknownChipAndBadIDTemplate() {
        let chip = scenarioError("name: t\nduration: 1m\nfleet:\n  - count: 1\n    chip: esp8266\n")
        XCTAssertTrue(chip?.message.contains("must be one of esp32, esp32s3, esp32c3, esp32c6") ?? false)
        let same = scenarioError("name: t\nduration: 1m\nfleet:\n  - count: 2\n    id: fixed\n")
        XCTAssertEqual(same?.message, "'id' template gives every device the same id; add {n}")
        let placeholder = scenarioError("name: t\nduration: 1m\nfleet:\n  - count: 2\n    id: dev-{num}\n")
        XCTAssertEqual(placeholder?.position.column, 9 + 4, "points at the placeholder inside the template")
    }

    func testGroupsWithCollidingIDsAreRejected() {
        let e = scenarioError("name: t\nduration: 1m\nfleet:\n  - {name: a, count: 2, id: 'd-{n}'}\n  - {name: b, count: 2, id: 'd-{n}'}\n")
        XCTAssertEqual(e?.position.line, 5)
        XCTAssertTrue(e?.message.contains("device id 'd-1' occurs in groups 'a' and 'b'") ?? false)
    }

    func testExternalBackendWithTLSAndTemplates() throws {
        let s = try parseScenario("""
        name: t
        duration: 1m
        backend:
          broker: mqtts://broker.test:8883
          api: https://api.test/api
          username: "{id}"
          password: "{env:FLEET_SECRET}"
          observer_username: watcher
          observer_password: w-secret
          tls: {ca: ca.pem, cert: c.pem, key: c.key}
        fleet: [{count: 1}]
        """)
        XCTAssertEqual(s.backend, .external(ExternalBackend(
            broker: "mqtts://broker.test:8883", api: "https://api.test/api", username: "{id}",
            password: "{env:FLEET_SECRET}", tls: TLSFiles(ca: "ca.pem", cert: "c.pem", key: "c.key", verifyHostname: true),
            observerUsername: "watcher", observerPassword: "w-secret")))
    }

    func testBackendRejectsMixedAndInvalidSettings() {
        let mixed = scenarioError("name: t\nduration: 1m\nbackend:\n  embedded: {}\n  broker: mqtt://x:1\nfleet: [{count: 1}]\n")
        XCTAssertEqual(mixed?.key, "broker")
        let scheme = scenarioError("name: t\nduration: 1m\nbackend:\n  broker: http://x:1\nfleet: [{count: 1}]\n")
        XCTAssertEqual(scheme?.position, SourcePosition(file: "t.yaml", line: 4, column: 11))
        let tls = scenarioError("name: t\nduration: 1m\nbackend:\n  broker: mqtt://x:1\n  tls: {ca: a.pem}\nfleet: [{count: 1}]\n")
        XCTAssertEqual(tls?.message, "'tls' needs an mqtts:// broker")
        let half = scenarioError("name: t\nduration: 1m\nbackend:\n  broker: mqtts://x:1\n  tls: {ca: a.pem, cert: c.pem}\nfleet: [{count: 1}]\n")
        XCTAssertEqual(half?.key, "key")
    }

    func testFirmwareFileAndGeneratedImages() throws {
        let s = try parseScenario("""
        name: t
        duration: 1m
        fleet: [{count: 1, chip: esp32}]
        firmware:
          - {version: 2.0.0, file: images/app.bin, manifest: true}
          - {version: 2.1.0, size: 64KB, chip: esp32c3}
          - {version: 2.2.0}
        """)
        XCTAssertEqual(s.firmware.map(\.source), [.file("images/app.bin"), .generated(chip: .esp32c3, size: 65536),
                                                   .generated(chip: .esp32, size: 262144)])
        XCTAssertEqual(s.firmware.map(\.inManifest), [true, false, false])
        let both = scenarioError("name: t\nduration: 1m\nfleet: [{count: 1}]\nfirmware:\n  - {version: 1.1.0, file: a.bin, size: 1KB}\n")
        XCTAssertEqual(both?.key, "size")
        let big = scenarioError("name: t\nduration: 1m\nfleet: [{count: 1}]\nfirmware:\n  - {version: 1.1.0, size: 4MB}\n")
        XCTAssertTrue(big?.message.contains("between 1024 and 3145728 bytes") ?? false)
    }

    func testEveryScenarioInTheLibraryValidates() throws {
        let dir = packageRoot.appendingPathComponent("scenarios")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertEqual(files, ["acl-probe.yaml", "broker-outage.yaml", "chaos.yaml", "heartbeat-10k.yaml", "idf-provisioning.yaml", "link-outage.yaml",
                               "manifest-rollout.yaml", "ota-canary.yaml", "ota-corrupt.yaml", "ota-power-loss.yaml", "provisioning.yaml",
                               "quickstart.yaml", "telemetry.yaml"])
        for file in files {
            do {
                let s = try ScenarioLoader.load(path: dir.appendingPathComponent(file).path)
                XCTAssertEqual(s.name + ".yaml", file)
                XCTAssertFalse(s.expectations.isEmpty, file + " checks nothing")
            } catch {
                XCTFail(error.description)
            }
        }
    }
}
