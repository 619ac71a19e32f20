import DeviceCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest
@testable import SimFleet

/// `simfleet run SCENARIO` end to end: the real tool, a real mosquitto (embedded backend).
final class ScenarioRunTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("simfleet-scenario-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    /// Runs the tool; returns exit status, stdout and stderr.
    func simfleet(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        let tool = Simfleet.executable
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: tool.path), "scripts/test builds the tool before testing")
        let child = try ChildProcess.run(tool, arguments, directory: dir, separateStderr: true)
        return (child.status, child.output, child.stderr)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let url = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    func testFailingThresholdExitsOneNamingTheExpectationAndItsValue() throws {
        let file = try write("tiny.yaml", """
        name: tiny
        seed: 4
        duration: 4s
        fleet:
          - count: 5
            heartbeat: 1s
            ramp: 50/s
        timeline:
          - after: all_online
            timeout: 3s
            hold: 1s
        expect:
          - connected >= 100%
          - e2e_latency.max < 0.001ms
        """)
        let report = dir.appendingPathComponent("tiny.json").path
        let run = try simfleet(["run", file, "--report", report])
        XCTAssertEqual(run.status, 1, run.err)
        XCTAssertTrue(run.err.contains("simfleet run: expectation failed: e2e_latency.max < 0.001ms (measured "), run.err)
        XCTAssertTrue(run.out.contains("✔ connected >= 100% — measured 100% (5 of 5)"), run.out)
        let json = try ReportDocument(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: report))))
        XCTAssertEqual(json.value(at: ["passed"])?.boolValue, false)
        XCTAssertEqual(json.value(at: ["scenario"])?.stringValue, "tiny")
        guard case .array(let results)? = json.value(at: ["expectations"]) else { return XCTFail("no expectations in the report") }
        XCTAssertEqual(results.map { $0["passed"]?.boolValue }, [true, false])
        let html = try String(contentsOfFile: dir.appendingPathComponent("tiny.html").path, encoding: .utf8)
        XCTAssertTrue(html.contains("<div class=\"badge fail\">FAILED</div>"))
    }

    func testPassingScenarioExitsZero() throws {
        let file = try write("ok.yaml", """
        name: ok
        duration: 3s
        fleet: [{count: 3, heartbeat: 1s}]
        timeline:
          - after: all_online
            timeout: 2s
            device_fault: {kind: power_cycle, devices: 1, off: 200ms}
        expect:
          - connected >= 100%
          - lost == 0
        """)
        let run = try simfleet(["run", file, "--report", dir.appendingPathComponent("ok.json").path])
        XCTAssertEqual(run.status, 0, run.err + run.out)
        XCTAssertTrue(run.err.contains("timeline step 1 (device_fault at"), run.err)
    }

    func testMetricsEndpointIsLiveDuringARun() throws {
        let file = try write("live.yaml", """
        name: live
        duration: 6s
        fleet: [{count: 4, heartbeat: 1s}]
        expect:
          - connected >= 100%
        """)
        let process = Process()
        process.executableURL = Simfleet.executable
        process.arguments = ["run", file, "--metrics-port", "0", "--report", dir.appendingPathComponent("live.json").path]
        process.currentDirectoryURL = dir
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var text = ""
        var port: Int?
        let deadline = Date().addingTimeInterval(10)
        while port == nil && Date() < deadline {
            let chunk = err.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
            if let range = text.range(of: "metrics at http://127.0.0.1:") {
                port = Int(text[range.upperBound...].prefix { $0.isNumber })
            }
        }
        let metricsPort = try XCTUnwrap(port, text)
        Thread.sleep(forTimeInterval: 3)  // a few one-second samples into the run
        let body = try String(contentsOf: URL(string: "http://127.0.0.1:" + String(metricsPort) + "/metrics")!, encoding: .utf8)
        XCTAssertTrue(body.contains("simfleet_devices_requested 4.0\n"), body)
        XCTAssertTrue(body.contains("simfleet_devices_online 4.0\n"), body)
        XCTAssertTrue(body.contains("simfleet_messages_sent_total "), body)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
    }

    func testConditionThatNeverHoldsFailsTheRun() throws {
        let file = try write("never.yaml", """
        name: never
        duration: 5s
        fleet: [{count: 2, heartbeat: 1s}]
        timeline:
          - after: reconnects >= 50
            timeout: 1s
            wait: 1s
        expect:
          - connected >= 100%
        """)
        let run = try simfleet(["run", file, "--report", dir.appendingPathComponent("never.json").path])
        XCTAssertEqual(run.status, 1, run.err)
        XCTAssertTrue(run.err.contains("expectation failed: timeline step 1 (wait at " + file + ":5:5) (measured 'reconnects >= 50' did not hold within 1s)"),
                      run.err)
    }

    func testStepTheRuntimeCannotDoYetExitsTwoBeforeRunning() throws {
        let file = try write("ota.yaml", """
        name: ota
        duration: 10s
        fleet:
          - {name: a, count: 1}
          - {name: b, count: 1, chip: esp32s3}
        """)
        let run = try simfleet(["run", file])
        XCTAssertEqual(run.status, 2)
        XCTAssertTrue(run.err.contains(file + ":5:31: not supported yet: groups of different chips"), run.err)  // at 'esp32s3'
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("ota-report.json").path))
    }

    func testInvalidScenarioExitsTwoWithThePosition() throws {
        let file = try write("bad.yaml", "name: bad\nduration: 10s\nfleet:\n  - count: 2\n    qos: 3\n")
        let run = try simfleet(["run", file])
        XCTAssertEqual(run.status, 2)
        XCTAssertEqual(run.err, file + ":5:10: 'qos' in fleet group must be between 0 and 2, found 3\n")
        let validate = try simfleet(["validate", file])
        XCTAssertEqual(validate.status, 2)
        XCTAssertEqual(validate.err, run.err)
    }

    func testValidateRunnableMakesThePlansChecksAndRunRefusesAlikeAtTheLine() throws {
        let file = try write("topics.yaml", "name: topics\nduration: 10s\nfleet:\n  - count: 2\ntopics:\n  status: 'fleet/status-{id}'\n")
        XCTAssertEqual(try simfleet(["validate", file]).status, 0, "the language accepts any layout")
        let validate = try simfleet(["validate", "--runnable", file])
        XCTAssertEqual(validate.status, 2)
        XCTAssertTrue(validate.err.hasPrefix(file + ":6:3: topic 'fleet/status-{id}' has no level that is exactly {id}"), validate.err)
        let run = try simfleet(["run", file])
        XCTAssertEqual(run.status, 2)
        XCTAssertTrue(run.err.contains(file + ":6:3: topic 'fleet/status-{id}'"), run.err)
    }
}
