import Foundation
import XCTest
@testable import SimFleet

/// A flags-only `simfleet run` is the one-group scenario it describes: `--scale`, `--html` and
/// `--report` work as for a scenario file, and device credentials still make the embedded broker's
/// password file.
final class FlagsOnlyRunTests: XCTestCase {
    func testScaleAndCredentialsApplyToAFlagsOnlyRun() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("simfleet-flags-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let report = dir.appendingPathComponent("r.json").path
        let run = try Simfleet.run(["run", "--devices", "40", "--scale", "0.1", "--duration", "2s", "--heartbeat", "500ms",
                                    "--username", "{id}", "--password", "pw-{n}", "--report", report])
        XCTAssertEqual(run.status, 0, run.output)
        let json = try ReportDocument(bytes: Array(Data(contentsOf: URL(fileURLWithPath: report))))
        XCTAssertEqual(json.number(at: ["devices", "requested"]), 4, "--scale 0.1 of 40")
        XCTAssertEqual(json.number(at: ["devices", "connected"]), 4, "the embedded broker knows their accounts")
        XCTAssertEqual(json.value(at: ["scenario"])?.isNull, true)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("r.html").path), "no --html, no page")
        XCTAssertTrue(run.output.contains("wrote " + report), run.output)
    }

    func testBadBackendFlagsAreRefusedWithExit2() throws {
        for (flags, message) in [(["--manifest-url", "ftp://x/m.json"], "--manifest-url wants an http(s):// URL"),
                                 (["--manifest-poll", "0s"], "--manifest-poll wants a time like 5m"),
                                 (["--heartbeat", "10x"], "--heartbeat wants a time from 100ms to 1h like 10s, got '10x': unknown unit 'x'"),
                                 (["--stall-timeout", "1m30"], "--stall-timeout wants a time from 1s to 10m like 30s, got '1m30': '30' has no unit"),
                                 (["--version-source", "git"], "--version-source must be release or app_descriptor"),
                                 (["--register-header", "NoColon"], "--register-header wants 'Name: value'"),
                                 (["--register-retries", "99"], "--register-retries wants 0…20"),
                                 (["--metrics-linger", "10s"], "--metrics-linger wants a time up to 1h, with --metrics-port")] {
            let run = try Simfleet.run(["run", "--devices", "1", "--duration", "1s"] + flags)
            XCTAssertEqual(run.status, 2, flags.joined(separator: " "))
            XCTAssertTrue(run.output.contains(message), run.output)
        }
    }
}
