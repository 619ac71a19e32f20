import Foundation
import XCTest
@testable import SimFleet

/// mqtts:// set up wrongly never falls back to plain TCP: a CA file that cannot be read, a client
/// certificate without its key, are setup errors (exit 2) before any device connects.
final class TLSSetupTests: XCTestCase {
    private func simfleet(_ arguments: [String]) throws -> ChildProcess {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let binary = root.appendingPathComponent(".build/debug/simfleet")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            XCTFail("\(binary.path) is missing: run swift build first")
            throw CocoaError(.fileNoSuchFile)
        }
        return try ChildProcess.run(binary, arguments, separateStderr: true)
    }

    func testAnUnreadableCAFileIsASetupErrorNotAPlainTextConnection() throws {
        // A plain-TCP broker on the port the mqtts:// URL names: a client that ignored the failed
        // TLS setup would connect to it in clear, password and all, and the run would pass.
        let broker = try TestBroker()
        let report = NSTemporaryDirectory() + "tls-setup-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: report) }
        let run = try simfleet(["run", "--devices", "2", "--duration", "2s", "--heartbeat", "500ms",
                                "--broker", "mqtts://127.0.0.1:\(broker.port)", "--ca-file", "/nonexistent/ca.pem",
                                "--username", "{id}", "--password", "secret-{n}", "--report", report])
        XCTAssertEqual(run.status, 2, run.stderr)
        XCTAssertTrue(run.stderr.contains("/nonexistent/ca.pem"), run.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: report), "no run, no report")
    }

    func testACertificateWithoutItsKeyIsRefusedOnTheCommandLine() throws {
        let run = try simfleet(["run", "--devices", "1", "--broker", "mqtts://127.0.0.1:8883", "--ca-file", "/etc/hostname",
                                "--cert", "/etc/hostname"])
        XCTAssertEqual(run.status, 2, run.stderr)
        XCTAssertTrue(run.stderr.contains("--cert and --key go together"), run.stderr)
    }

    func testTheFleetRunnerRefusesToStartWhenTheTLSSetupFails() throws {
        let broker = try TestBroker()
        var c = FleetConfiguration(devices: 1, durationSeconds: 1, reactors: 1)
        c.broker = .external(host: "127.0.0.1", port: broker.port, tls: TLSSettings(caFile: "/nonexistent/ca.pem"))
        let runner = FleetRunner(configuration: c)
        XCTAssertThrowsError(try runner.start()) { error in
            guard case FleetError.tls(let message)? = error as? FleetError else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("/nonexistent/ca.pem"), message)
        }
    }
}
