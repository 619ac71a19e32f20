import DeviceCore
import Foundation
import XCTest
@testable import SimFleet

final class ReportMergeTests: XCTestCase {
    /// A shard report shaped like `simfleet run --shard` writes it (the keys the merge reads, plus a
    /// section the merge has never heard of, as other features add them).
    func shardReport(index: Int, count: Int = 2, seed: Int = 1, fingerprint: String = "f00d", startMs: Double = 1_000_000,
                     devices: Int = 3, sent: Int = 30, received: Int = 29, latencies: [Int64] = [500, 900, 1500],
                     series: [Int] = [1, 2, 3], online: [Int] = [3, 3, 3], versions: [String: Int] = ["1.0.0": 3],
                     ids: [String] = [], expect: [String] = ["online >= 100%"], failures: [(String, String)] = []) -> ReportMerge.Input {
        var e2e = LatencyRecorder()
        for v in latencies { e2e.record(microseconds: v) }
        var connect = LatencyRecorder()
        connect.record(microseconds: 2000 + Int64(index))
        func list(_ a: [Int]) -> String { "[" + a.map(String.init).joined(separator: ",") + "]" }
        let versionCounts = versions.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ",")
        let versionSeries = versions.map { v in "\"\(v.key)\": \(list(series.map { _ in v.value }))" }.joined(separator: ",")
        let idList = ids.map { "\"\($0)\"" }.joined(separator: ",")
        let failureList = failures.map { "{\"expression\": \"\($0.0)\", \"measured\": \"\($0.1)\"}" }.joined(separator: ",")
        let text = """
            {"format": 1, "simfleet_version": "0.1.0", "scenario": "t", "seed": \(seed), "started_at": "2026-12-01T10:00:0\(index)Z",
             "duration_s": 10.5, "backend": {"broker": "mqtt://10.0.0.1:1883", "embedded": false, "api": null},
             "fleet_shape": {"heartbeat_ms": 5000, "qos": 1},
             "devices": {"requested": \(devices), "connected": \(devices), "online_at_end": \(devices), "failed": 0,
                         "failed_detail": [], "observed": \(ids.count), "observed_ids": [\(idList)]},
             "messages": {"sent": \(sent), "received": \(received), "lost": \(sent - received), "unacknowledged": 0,
                          "delivery": 0.5, "lost_detail": [{"device": "d\(index)", "seq": 4}]},
             "reconnects": \(index),
             "latency": {"connect_ms": {"count": 1, "p50": 2, "p90": 2, "p99": 2, "p999": 2, "max": 2},
                         "e2e_ms": {"count": \(latencies.count), "p50": 1, "p90": 1, "p99": 1, "p999": 1, "max": 1},
                         "e2e_histogram": [{"le_ms": 1, "count": 2}, {"le_ms": 2, "count": 1}],
                         "hdr": {"connect_ms": "\(connect.encoded)", "e2e_ms": "\(e2e.encoded)"}},
             "errors": {"connect_failed": \(index + 1), "only_in_shard_\(index)": 1},
             "ota": {"commands": 2, "succeeded": null, "refused": {"invalid_image": 1}},
             "fleet": {"version": {\(versionCounts)}, "state": {"online": \(devices), "offline": 0}},
             "simulator": {"peak_rss_bytes": 1000, "cpu_seconds": 1.5, "reactors": 1, "timer_tick_ms": 10, "fd_limit": 20000,
                           "device_ceiling": 19000, "connect_all_s": \(0.5 + Double(index)), "steady_cpu_seconds": null},
             "telemetry": {"published": 5, "p99_ms": 3.5, "window_s": \(10 + index), "mean": 2.0, "max": \(index + 7)},
             "timeline": [{"step": 1, "kind": "hold", "name": null, "start_s": \(1.0 + Double(index)), "end_s": 6.0}],
             "timeseries": {"interval_s": 1, "t": \(list(series)), "online": \(list(online)),
                            "messages_per_s": \(list(series.map { _ in 10 })), "versions": {\(versionSeries)}},
             "shard": {"index": \(index), "count": \(count), "fingerprint": "\(fingerprint)", "fleet_devices": 6,
                       "start_unix_ms": \(startMs), "started_by": "sync-dir", "expect": [\(expect.map { "\"\($0)\"" }.joined(separator: ","))],
                       "timeline_failures": [\(failureList)]},
             "expectations": [], "passed": true}
            """
        return ReportMerge.Input(name: "shard-\(index).json", bytes: Array(text.utf8))
    }

    func merged(_ inputs: [ReportMerge.Input]) throws -> (ReportMerge.Outcome, ReportDocument) {
        let outcome = try ReportMerge.merge(inputs)
        return (outcome, try ReportDocument(bytes: Array(outcome.json.utf8)))
    }

    func testCountersAddAndUnknownSectionsMergeByShape() throws {
        let (outcome, doc) = try merged([shardReport(index: 1, devices: 3), shardReport(index: 0, devices: 4, sent: 40, received: 40)])
        XCTAssertEqual(doc.number(at: ["devices", "requested"]), 7)
        XCTAssertEqual(doc.number(at: ["messages", "sent"]), 70)
        XCTAssertEqual(doc.number(at: ["messages", "received"]), 69)
        XCTAssertEqual(doc.number(at: ["messages", "lost"]), 1)
        XCTAssertEqual(doc.number(at: ["messages", "delivery"])!, 69.0 / 70.0, accuracy: 1e-3, "a ratio of the sums, not a sum of ratios")
        XCTAssertEqual(doc.number(at: ["reconnects"]), 1)
        XCTAssertEqual(doc.number(at: ["errors", "connect_failed"]), 3)
        XCTAssertEqual(doc.number(at: ["errors", "only_in_shard_0"]), 1, "a key one shard lacks counts as that shard's zero")
        XCTAssertEqual(doc.number(at: ["errors", "only_in_shard_1"]), 1)
        XCTAssertEqual(doc.number(at: ["ota", "refused", "invalid_image"]), 2)
        XCTAssertEqual(doc.value(at: ["ota", "succeeded"]), .null, "not measured stays not measured")
        XCTAssertEqual(doc.number(at: ["fleet", "version", "1.0.0"]), 6)
        XCTAssertEqual(doc.number(at: ["simulator", "cpu_seconds"]), 3)
        XCTAssertEqual(doc.number(at: ["simulator", "timer_tick_ms"]), 10, "configuration is not added up")
        XCTAssertEqual(doc.number(at: ["fleet_shape", "heartbeat_ms"]), 5000)
        XCTAssertEqual(doc.number(at: ["simulator", "connect_all_s"]), 1.5, "a time of the run is the latest shard's")
        XCTAssertEqual(doc.value(at: ["simulator", "steady_cpu_seconds"]), .null)
        // The section nobody taught the merge about.
        XCTAssertEqual(doc.number(at: ["telemetry", "published"]), 10)
        XCTAssertEqual(doc.number(at: ["telemetry", "window_s"]), 11)
        XCTAssertEqual(doc.number(at: ["telemetry", "max"]), 8)
        XCTAssertEqual(doc.value(at: ["telemetry", "p99_ms"]), .null, "a percentile cannot be rebuilt from percentiles")
        XCTAssertEqual(doc.value(at: ["telemetry", "mean"]), .null)
        XCTAssertEqual(outcome.unmergeable, ["telemetry.mean", "telemetry.p99_ms"])
        XCTAssertEqual(doc.value(at: ["shard"]), .null)
        XCTAssertEqual(doc.number(at: ["merged", "shards"]), 2)
        XCTAssertEqual(outcome.devices, 7)
    }

    func testLatencyIsThePercentilesOfAllShardsSamples() throws {
        let a: [Int64] = (1...900).map { Int64($0) * 10 }
        let b: [Int64] = (1...100).map { 100_000 + Int64($0) * 1000 }
        let (_, doc) = try merged([shardReport(index: 0, latencies: a), shardReport(index: 1, latencies: b)])
        var whole = LatencyRecorder()
        for v in a + b { whole.record(microseconds: v) }
        let s = whole.summary
        XCTAssertEqual(doc.number(at: ["latency", "e2e_ms", "count"]), 1000)
        XCTAssertEqual(doc.number(at: ["latency", "e2e_ms", "p50"])!, s.p50, accuracy: 0.001)
        XCTAssertEqual(doc.number(at: ["latency", "e2e_ms", "p99"])!, s.p99, accuracy: 0.001)
        XCTAssertEqual(doc.number(at: ["latency", "e2e_ms", "max"])!, s.max, accuracy: 0.001)
        XCTAssertEqual(doc.number(at: ["latency", "connect_ms", "count"]), 2)
        let buckets = doc.value(at: ["latency", "e2e_histogram"])
        guard case .array(let items)? = buckets else { return XCTFail("no e2e_histogram") }
        let counts = items.compactMap { $0["count"]?.int64Value }.map { Int($0) }
        XCTAssertEqual(counts, whole.buckets(boundsMs: [1, 2]).map(\.count), "buckets counted again from the merged histogram")
        let merged = try LatencyRecorder(encoded: doc.value(at: ["latency", "hdr", "e2e_ms"])!.stringValue!)
        XCTAssertEqual(merged.summary, s, "the merged report carries the merged histogram")
    }

    func testHTTPPercentilesAreThoseOfAllShardsRequests() throws {
        /// Shard `index`'s report with an `http.register` section whose requests took `micros`.
        func withHTTP(_ index: Int, _ micros: [Int64]) -> ReportMerge.Input {
            var r = LatencyRecorder()
            for v in micros { r.record(microseconds: v) }
            let l = r.summary
            let section = """
                "http": {"register": {"requests": \(micros.count), "latency": {"count": \(l.count), "p50": \(l.p50), "p90": \(l.p90),
                 "p99": \(l.p99), "p999": \(l.p999), "max": \(l.max)}, "ttfb": {"count": 0, "p50": 0, "p90": 0, "p99": 0, "p999": 0,
                 "max": 0}, "hdr": {"latency": "\(r.encoded)", "ttfb": "\(LatencyRecorder().encoded)"}}}, "expectations": []
                """
            let base = shardReport(index: index)
            let text = String(decoding: base.bytes, as: UTF8.self).replacingOccurrences(of: #""expectations": []"#, with: section)
            return ReportMerge.Input(name: base.name, bytes: Array(text.utf8))
        }
        let a: [Int64] = (1...90).map { Int64($0) * 1000 }, b: [Int64] = (1...10).map { 500_000 + Int64($0) * 10_000 }
        let (outcome, doc) = try merged([withHTTP(0, a), withHTTP(1, b)])
        var whole = LatencyRecorder()
        for v in a + b { whole.record(microseconds: v) }
        XCTAssertEqual(doc.number(at: ["http", "register", "requests"]), 100)
        XCTAssertEqual(doc.number(at: ["http", "register", "latency", "count"]), 100)
        XCTAssertEqual(doc.number(at: ["http", "register", "latency", "p50"])!, whole.summary.p50, accuracy: 0.001)
        XCTAssertEqual(doc.number(at: ["http", "register", "latency", "p99"])!, whole.summary.p99, accuracy: 0.001)
        XCTAssertEqual(doc.number(at: ["http", "register", "ttfb", "p50"]), 0, "no samples: 0, as an unsharded run says")
        XCTAssertFalse(outcome.json.contains("http.register.latency.p50"), "not listed as unmergeable")
    }

    func testTimeSeriesLineUpOnTheWallClock() throws {
        // Shard 1 started two seconds after shard 0: its second 1 is shard 0's second 3.
        let (_, doc) = try merged([
            shardReport(index: 0, startMs: 1_000_000, series: [1, 2, 3, 4], online: [1, 2, 3, 3]),
            shardReport(index: 1, startMs: 1_002_000, series: [1, 2, 3], online: [5, 6, 6], versions: ["1.1.0": 3]),
        ])
        XCTAssertEqual(doc.series(at: ["timeseries", "t"]), [1, 2, 3, 4, 5])
        XCTAssertEqual(doc.series(at: ["timeseries", "online"]), [1, 2, 8, 9, 9], "levels hold a shard's last sample")
        XCTAssertEqual(doc.series(at: ["timeseries", "messages_per_s"]), [10, 10, 20, 20, 10], "rates count only real samples")
        XCTAssertEqual(doc.series(at: ["timeseries", "versions", "1.1.0"]), [0, 0, 3, 3, 3])
        XCTAssertEqual(doc.series(at: ["timeseries", "versions", "1.0.0"]), [3, 3, 3, 3, 3])
        XCTAssertEqual(doc.number(at: ["duration_s"]), 12.5, "from the first start to the last end")
        guard case .array(let phases)? = doc.value(at: ["timeline"]), let phase = phases.first else { return XCTFail("no timeline") }
        XCTAssertEqual(phase["start_s"].flatMap { Double(String(decoding: $0.encodedBytes(), as: UTF8.self)) }, 1)
        XCTAssertEqual(phase["end_s"].flatMap { Double(String(decoding: $0.encodedBytes(), as: UTF8.self)) }, 8)
    }

    func testTheSetOfObservedDevicesIsTheUnion() throws {
        let (_, doc) = try merged([shardReport(index: 0, ids: ["b", "d"]), shardReport(index: 1, ids: ["a", "c"])])
        XCTAssertEqual(doc.number(at: ["devices", "observed"]), 4)
        XCTAssertEqual(doc.value(at: ["devices", "observed_ids"]), .array(["a", "b", "c", "d"].map { .string($0) }))
    }

    func testExpectationsAreJudgedOnTheWholeRunWithTimelineFailuresFromEveryShard() throws {
        let expect = ["sent == 60", "delivery >= 99%", "online >= 100%"]
        let (passing, _) = try merged([shardReport(index: 0, received: 30, expect: expect), shardReport(index: 1, received: 30, expect: expect)])
        XCTAssertTrue(passing.passed, "\(passing.results)")
        let (failing, doc) = try merged([shardReport(index: 0, received: 25, expect: expect),
                                         shardReport(index: 1, received: 30, expect: expect,
                                                     failures: [("timeline step 2 (hold)", "never ran: the run ended first")])])
        XCTAssertFalse(failing.passed)
        XCTAssertEqual(failing.results.filter { !$0.passed }.map(\.expression), ["delivery >= 99%", "timeline step 2 (hold)"])
        XCTAssertEqual(doc.value(at: ["passed"]), .bool(false))
    }

    func testShardsOfDifferentRunsAreRefused() {
        func refusal(_ inputs: [ReportMerge.Input]) -> MergeError? {
            do { _ = try ReportMerge.merge(inputs); XCTFail("merged"); return nil } catch { return error }
        }
        guard case .differentRuns(let field, _, _, _, _)? = refusal([shardReport(index: 0), shardReport(index: 1, seed: 2)]) else {
            return XCTFail("seed")
        }
        XCTAssertEqual(field, "seed")
        guard case .differentRuns(let f2, _, _, _, _)? = refusal([shardReport(index: 0), shardReport(index: 1, fingerprint: "beef")]) else {
            return XCTFail("fingerprint")
        }
        XCTAssertEqual(f2, "shard.fingerprint")
        guard case .differentRuns(let f3, _, _, _, _)? = refusal([shardReport(index: 0), shardReport(index: 1, count: 3)]) else {
            return XCTFail("count")
        }
        XCTAssertEqual(f3, "shard.count")
        XCTAssertEqual(refusal([shardReport(index: 0), shardReport(index: 0)]), .duplicate(index: 0, "shard-0.json", "shard-0.json"))
        XCTAssertEqual(refusal([shardReport(index: 0, count: 4), shardReport(index: 2, count: 4)]), .missing([1, 3], of: 4))
        XCTAssertEqual(refusal([]), .noInput)
        let plain = ReportMerge.Input(name: "plain.json", bytes: Array(#"{"format": 1, "shard": null}"#.utf8))
        XCTAssertEqual(refusal([plain]), .notAShard("plain.json"))
        guard case .unreadable? = refusal([ReportMerge.Input(name: "x.json", bytes: Array("{".utf8))]) else { return XCTFail("junk") }
    }

    func testLiveFiguresOfAllShardsAddUpForTimelineConditions() throws {
        var a = FleetSnapshot()
        a.requested = 3
        a.online = 3
        var b = FleetSnapshot()
        b.requested = 3
        b.online = 2
        let sum = ReportMerge.sumLive([LiveFigures.document(a, versions: ["1.0.0": 3]).json,
                                       LiveFigures.document(b, versions: ["1.1.0": 2]).json])
        XCTAssertEqual(sum.number(at: ["devices", "online_at_end"]), 5)
        XCTAssertEqual(sum.number(at: ["devices", "requested"]), 6)
        let allOnline = try ExpressionParser.condition("all_online", at: SourcePosition(file: "t", line: 1, column: 1))
        XCTAssertFalse(ExpectationEvaluator(report: sum).holds(allOnline.comparison))
        XCTAssertEqual(sum.number(at: ["fleet", "version", "1.1.0"]), 2)
    }
}
