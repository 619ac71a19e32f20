import Foundation
import XCTest
@testable import SimFleet

/// The `simfleet` executable as a user runs it: signals, exit codes, no orphaned broker.
final class CommandLineTests: XCTestCase {
    private var executable: String { Simfleet.executable.path }

    struct MissingExecutable: Error {}

    /// `swift build --build-tests` builds the executable too; without it these tests cannot run.
    private func requireExecutable() throws {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            XCTFail("\(executable) is missing: run swift build first")
            throw MissingExecutable()
        }
    }

    /// Starts `simfleet run` and returns it with the pid of its embedded broker once that is up.
    private func startRun(_ extra: [String] = []) throws -> (Process, pid_t) {
        try requireExecutable()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = ["run", "--devices", "5", "--duration", "120s", "--heartbeat", "1s"] + extra
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        var broker: pid_t = 0
        awaitCondition("the embedded broker runs", timeout: 15) {
            broker = CommandLineTests.childBroker(of: p.processIdentifier)
            return broker > 0
        }
        return (p, broker)
    }

    static func childBroker(of pid: pid_t) -> pid_t {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        for t in tasks {
            let children = (try? String(contentsOfFile: "/proc/\(pid)/task/\(t)/children", encoding: .utf8)) ?? ""
            for c in children.split(separator: " ") {
                if let cpid = pid_t(c), let comm = try? String(contentsOfFile: "/proc/\(cpid)/comm", encoding: .utf8),
                   comm.trimmingCharacters(in: .whitespacesAndNewlines) == "mosquitto" { return cpid }  // not mosquitto_passwd
            }
        }
        return 0
    }

    private func isAlive(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        return !stat.contains(") Z ")  // a zombie is gone, only not yet reaped by its parent
    }

    func testCtrlCStopsTheRunReportsAndLeavesNoBroker() throws {
        let report = NSTemporaryDirectory() + "simfleet-sigint-\(UUID().uuidString).json"
        let (p, broker) = try startRun(["--report", report])
        sleep(1)
        kill(p.processIdentifier, SIGINT)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        XCTAssertFalse(isAlive(broker), "the broker stopped with the run")
        let json = try String(contentsOfFile: report, encoding: .utf8)
        XCTAssertTrue(json.contains("\"requested\": 5"))
        try? FileManager.default.removeItem(atPath: report)
    }

    func testAKilledSimulatorTakesItsBrokerWithIt() throws {
        let (p, broker) = try startRun()
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        awaitCondition("the orphaned broker got its parent-death signal", timeout: 5) { !self.isAlive(broker) }
    }

    func testAnEmbeddedBrokerKilledFromOutsideIsRestartedAndTheRunGoesOn() throws {
        let report = NSTemporaryDirectory() + "simfleet-brokerkill-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: report) }
        try requireExecutable()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = ["run", "--devices", "5", "--duration", "25s", "--heartbeat", "500ms", "--report", report]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        defer { if p.isRunning { p.terminate() } }
        var broker: pid_t = 0
        awaitCondition("the embedded broker runs", timeout: 15) {
            broker = CommandLineTests.childBroker(of: p.processIdentifier)
            return broker > 0
        }
        sleep(4)
        kill(broker, SIGKILL)
        var second: pid_t = 0
        awaitCondition("a new broker took its place", timeout: 15) {
            second = CommandLineTests.childBroker(of: p.processIdentifier)
            return second > 0 && second != broker && self.isAlive(second)
        }
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        XCTAssertFalse(isAlive(second), "the restarted broker stopped with the run")
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as? [String: Any])
        let backend = try XCTUnwrap(json["backend"] as? [String: Any])
        XCTAssertEqual(backend["broker_exits"] as? Int, 1, "\(backend)")
        XCTAssertEqual(backend["broker_restarts"] as? Int, 1)
        let devices = try XCTUnwrap(json["devices"] as? [String: Any])
        XCTAssertEqual(devices["online_at_end"] as? Int, 5, "every device came back")
        let messages = try XCTUnwrap(json["messages"] as? [String: Any])
        let sent = messages["sent"] as? Int ?? 0, received = messages["received"] as? Int ?? 0
        let lost = messages["lost"] as? Int ?? -1, unacknowledged = messages["unacknowledged"] as? Int ?? 0
        XCTAssertGreaterThanOrEqual(received + lost, sent - unacknowledged, "every acknowledged heartbeat is received or listed as lost")
        XCTAssertEqual((messages["lost_detail"] as? [Any])?.count, min(lost, 100))
    }

    func testTimerTickOutsideOneToHundredMillisecondsExitsTwo() throws {
        try requireExecutable()
        for tick in ["500ms", "0ms", "1.5ms", "fast"] {
            let p = Process()
            let err = Pipe()
            p.executableURL = URL(fileURLWithPath: executable)
            p.arguments = ["run", "--devices", "1", "--timer-tick", tick]
            p.standardError = err
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            XCTAssertEqual(p.terminationStatus, 2, tick)
            let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            XCTAssertTrue(message.contains("--timer-tick wants 1ms…100ms"), message)
        }
    }

    func testACoarseTimerTickStillDeliversEveryHeartbeatAndIsReported() throws {
        try requireExecutable()
        let report = FileManager.default.temporaryDirectory.appendingPathComponent("tick-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: report) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = ["run", "--devices", "4", "--duration", "3s", "--heartbeat", "500ms", "--timer-tick", "40ms",
                       "--report", report.path]
        p.standardError = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any])
        let simulator = try XCTUnwrap(json["simulator"] as? [String: Any])
        XCTAssertEqual(simulator["timer_tick_ms"] as? Int, 40)
        let messages = try XCTUnwrap(json["messages"] as? [String: Any])
        XCTAssertGreaterThanOrEqual(messages["sent"] as? Int ?? 0, 4 * 5, "every device heartbeats about twice a second")
        XCTAssertEqual(messages["received"] as? Int, messages["sent"] as? Int)
        XCTAssertEqual(messages["lost"] as? Int, 0)
    }

    func testTooManyDevicesExitsTwoWithTheCeiling() throws {
        try requireExecutable()
        let p = Process()
        let err = Pipe()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = ["run", "--devices", "1000000"]
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 2)
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertTrue(message.contains("allows at most"), message)
    }
}
