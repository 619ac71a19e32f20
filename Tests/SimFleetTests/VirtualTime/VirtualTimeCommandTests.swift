import Foundation
import XCTest

/// `simfleet run --virtual-time` as a user runs it: exit codes, the report, refusals naming lines.
final class VirtualTimeCommandTests: XCTestCase {
    func temporary(_ name: String) -> String { NSTemporaryDirectory() + "vt-\(getpid())-" + name }

    func testAScenarioRunsInVirtualTimeAndWritesTheSameReport() throws {
        let report = temporary("corrupt.json")
        defer { try? FileManager.default.removeItem(atPath: report) }
        let run = try Simfleet.run(["run", "--virtual-time", packageRoot() + "/scenarios/ota-corrupt.yaml", "--report", report])
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertTrue(run.output.contains("simulated s in"), run.output)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as! [String: Any]
        let ota = try XCTUnwrap(json["ota"] as? [String: Any])
        XCTAssertEqual(ota["corrupted_downloads"] as? Int, 20)
        XCTAssertNotNil((json["simulator"] as? [String: Any])?["virtual_time"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: String(report.dropLast(5)) + ".html"))
    }

    func testAFeatureVirtualTimeCannotCarryIsRefusedNamingItsLine() throws {
        let run = try Simfleet.run(["run", "--virtual-time", packageRoot() + "/scenarios/provisioning.yaml",
                                    "--report", temporary("p.json")])
        XCTAssertEqual(run.status, 2)
        XCTAssertTrue(run.output.contains("provisioning.yaml:"), run.output)
        XCTAssertTrue(run.output.contains("unprovisioned devices in virtual time"), run.output)

        let file = temporary("external.yaml")
        defer { try? FileManager.default.removeItem(atPath: file) }
        try """
        name: external
        duration: 10s
        backend:
          broker: mqtt://127.0.0.1:1883
        fleet: [{count: 1}]
        """.write(toFile: file, atomically: true, encoding: .utf8)
        let external = try Simfleet.run(["run", "--virtual-time", file])
        XCTAssertEqual(external.status, 2)
        XCTAssertTrue(external.output.contains("external.yaml:4:3: an external broker in virtual time"), external.output)
    }

    func testSocketOnlyFlagsAreRefusedWithVirtualTime() throws {
        let run = try Simfleet.run(["run", "--virtual-time", "--devices", "2", "--source-ip", "127.0.0.1"])
        XCTAssertEqual(run.status, 2)
        XCTAssertTrue(run.output.contains("--source-ip does not apply with --virtual-time"), run.output)
    }

    func testAFlagsOnlyRunInVirtualTimeReports() throws {
        let report = temporary("flags.json")
        defer { try? FileManager.default.removeItem(atPath: report) }
        let run = try Simfleet.run(["run", "--virtual-time", "--devices", "20", "--duration", "30m", "--report", report])
        XCTAssertEqual(run.status, 0, run.output)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as! [String: Any]
        XCTAssertEqual((json["messages"] as? [String: Any])?["lost"] as? Int, 0)
        XCTAssertGreaterThan((json["duration_s"] as? Double) ?? 0, 1800)
    }
}
