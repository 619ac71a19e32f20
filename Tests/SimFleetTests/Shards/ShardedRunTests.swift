import DeviceCore
import Foundation
import XCTest
@testable import SimFleet

/// `simfleet run --shard` and `simfleet merge` end to end: two shard processes against one real
/// mosquitto (each counting only its own devices), merged, against an unsharded run of the same scenario.
final class ShardedRunTests: XCTestCase {
    private var dir = ""
    private var broker: Process?
    private var port = 0

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "simfleet-shards-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDown() {
        stopBroker()
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// A fresh mosquitto (no retained status from an earlier run) that logs where clients come from.
    func startBroker() throws {
        stopBroker()
        port = EmbeddedBroker.freePort()
        let conf = """
            user \(EmbeddedBroker.currentUser)
            persistence false
            allow_anonymous true
            listener \(port) 127.0.0.1
            log_dest file \(dir)/mosquitto-\(port).log
            log_type notice
            connection_messages true
            """
        try conf.write(toFile: dir + "/mosquitto.conf", atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: EmbeddedBroker.which("mosquitto")!)
        p.arguments = ["-c", dir + "/mosquitto.conf"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        broker = p
        awaitCondition("mosquitto up", timeout: 10) { EmbeddedBroker.accepts(port: port) }
    }

    func stopBroker() {
        broker?.terminate()
        broker?.waitUntilExit()
        broker = nil
    }

    /// 40 devices, heartbeats every 2 s: the run ends at second 9, half a period from any heartbeat
    /// (the ramp puts every device's phase within its first half second), so the heartbeat count of
    /// a run does not hinge on a few milliseconds. A fleet-wide condition, a fault at a fixed time.
    func writeScenario() throws -> String {
        let text = """
            name: shard-test
            seed: 3
            duration: 9s
            backend:
              broker: mqtt://127.0.0.1:\(port)
            fleet:
              - name: field
                count: 40
                heartbeat: 2s
                ramp: 100/s
            timeline:
              - after: all_online
                timeout: 8s
                hold: 1s
              - at: 4s
                device_fault:
                  kind: power_cycle
                  devices: 4
                  off: 1s
              - after: all_online
                timeout: 4s
                hold: 1s
            expect:
              - requested == 40
              - online >= 100%
              - delivery >= 100%
              - reconnects == 4
              - lost == 0
            """
        let path = dir + "/shard-test.yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func report(_ path: String) throws -> ReportDocument {
        try ReportDocument(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    func testTwoShardsMergeIntoTheUnshardedRun() throws {
        try startBroker()
        let scenario = try writeScenario()
        let sync = dir + "/sync"
        nonisolated(unsafe) var results: [Int: Simfleet.Run] = [:]
        let lock = NSLock()
        let group = DispatchGroup()
        for i in 0..<2 {
            group.enter()
            var args = ["run", scenario, "--shard", "\(i)/2", "--sync-dir", sync, "--report", dir + "/shard-\(i).json"]
            if i == 1 { args += ["--source-ip", "127.0.0.2,127.0.0.3"] }
            let arguments = args
            Thread.detachNewThread {
                let run = try? Simfleet.run(arguments)
                lock.withLock { results[i] = run }
                group.leave()
            }
        }
        XCTAssertEqual(group.wait(timeout: .now() + 120), .success)
        for i in 0..<2 { XCTAssertEqual(results[i]?.status, 0, results[i]?.output ?? "shard \(i) did not run") }
        let brokerLog = (try? String(contentsOfFile: dir + "/mosquitto-\(port).log", encoding: .utf8)) ?? ""

        let shards = try (0..<2).map { try report(dir + "/shard-\($0).json") }
        let plan = ScenarioPlan(try ScenarioLoader.load(path: scenario)).devices.map(\.id)
        for (i, shard) in shards.enumerated() {
            let mine = plan.enumerated().filter { $0.offset % 2 == i }.map(\.element).sorted()
            XCTAssertEqual(shard.number(at: ["devices", "requested"]), 20)
            XCTAssertEqual(ids(shard), mine, "shard \(i) heard exactly its own devices")
            XCTAssertEqual(shard.number(at: ["messages", "received"]), shard.number(at: ["messages", "sent"]),
                           "shard \(i) counted no other shard's heartbeats")
        }
        // Shard 1's devices connected from its --source-ip pool, shard 0's from elsewhere.
        for (n, id) in plan.enumerated() {
            let line = brokerLog.split(separator: "\n").first { $0.contains("New client connected from") && $0.contains(" as " + id + " ") }
            guard let line else { XCTFail("no connect of \(id) in the broker's log"); continue }
            let fromPool = line.contains("from 127.0.0.2:") || line.contains("from 127.0.0.3:")
            XCTAssertEqual(fromPool, n % 2 == 1, String(line))
        }

        let merge = try Simfleet.run(["merge", dir + "/shard-1.json", dir + "/shard-0.json", "-o", dir + "/merged.json"])
        XCTAssertEqual(merge.status, 0, merge.output)
        XCTAssertTrue(merge.output.contains("merged 2 shards, 40 devices"), merge.output)
        let merged = try report(dir + "/merged.json")
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/merged.html"))

        try startBroker()  // a fresh broker: no retained status from the sharded run
        let single = try Simfleet.run(["run", try writeScenario(), "--report", dir + "/single.json"])
        XCTAssertEqual(single.status, 0, single.output)
        let whole = try report(dir + "/single.json")

        XCTAssertEqual(ids(merged), plan.sorted())
        XCTAssertEqual(ids(merged), ids(whole), "the same devices, heard by the observer")
        for path in [["devices", "requested"], ["devices", "connected"], ["devices", "online_at_end"], ["devices", "failed"],
                     ["messages", "sent"], ["messages", "received"], ["messages", "lost"], ["reconnects"],
                     ["fleet", "version", "1.0.0"], ["latency", "e2e_ms", "count"], ["latency", "connect_ms", "count"]] {
            XCTAssertEqual(merged.number(at: path), whole.number(at: path), path.joined(separator: "."))
        }
        XCTAssertEqual(merged.value(at: ["passed"]), .bool(true))
        // The merged latency is the histogram of both shards' samples.
        var sum = LatencyRecorder()
        for shard in shards { sum.merge(try LatencyRecorder(encoded: shard.value(at: ["latency", "hdr", "e2e_ms"])!.stringValue!)) }
        XCTAssertEqual(merged.number(at: ["latency", "e2e_ms", "p99"])!, sum.summary.p99, accuracy: 0.0005)
        XCTAssertEqual(merged.number(at: ["latency", "e2e_ms", "max"])!, sum.summary.max, accuracy: 0.0005)

        // The same shard twice is not a run.
        let doubled = try Simfleet.run(["merge", dir + "/shard-0.json", dir + "/shard-0.json", "-o", dir + "/bad.json"])
        XCTAssertEqual(doubled.status, 2, doubled.output)
        XCTAssertTrue(doubled.output.contains("shard 0 is given twice"), doubled.output)
        let missing = try Simfleet.run(["merge", dir + "/shard-1.json", "-o", dir + "/bad.json"])
        XCTAssertEqual(missing.status, 2, missing.output)
        XCTAssertTrue(missing.output.contains("shard 0 of 2 missing"), missing.output)
        let unsharded = try Simfleet.run(["merge", dir + "/single.json", "-o", dir + "/bad.json"])
        XCTAssertEqual(unsharded.status, 2, unsharded.output)
    }

    func ids(_ report: ReportDocument) -> [String] {
        guard case .array(let items)? = report.value(at: ["devices", "observed_ids"]) else { return [] }
        return items.compactMap(\.stringValue)
    }

    func testWhatShardsCannotAgreeOnIsRefusedBeforeTheRun() throws {
        port = 1883  // never reached: every run here is refused first
        let scenario = try writeScenario()
        func refused(_ args: [String], _ why: String, file: StaticString = #filePath, line: UInt = #line) throws {
            let run = try Simfleet.run(args)
            XCTAssertEqual(run.status, 2, run.output, file: file, line: line)
            XCTAssertTrue(run.output.contains(why), run.output, file: file, line: line)
        }
        try refused(["run", scenario, "--shard", "0/2"], "--shard needs --sync-dir")
        try refused(["run", scenario, "--shard", "0/2", "--start-at", "2099-01-01T00:00:00Z"], "waits for 'all_online'")
        try refused(["run", scenario, "--shard", "2/2", "--sync-dir", dir], "--shard wants I/N")
        try refused(["run", scenario, "--sync-dir", dir], "go with --shard")
        try refused(["run", scenario, "--shard", "0/41", "--sync-dir", dir], "more shards than")
        // A flags-only run is a one-group scenario: it takes --shard, with the same conditions.
        try refused(["run", "--devices", "4", "--shard", "0/2"], "--shard needs --sync-dir")
        try refused(["run", scenario, "--source-ip", "not-an-address"], "--source-ip wants")
    }
}
