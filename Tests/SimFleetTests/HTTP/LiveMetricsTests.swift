import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import NIOCore
import XCTest
@testable import SimFleet

/// `/metrics` as a user sees it: scraped over HTTP from a real flags-only run of the `simfleet`
/// binary, checked by Prometheus's own `promtool`, and compared with the run's JSON report.
final class LiveMetricsTests: XCTestCase {
    /// Samples of a Prometheus text exposition by series (`name{labels}`).
    static func samples(_ text: String) -> [String: Double] {
        var out: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let v = Double(line[line.index(after: space)...]) else { continue }
            out[String(line[..<space])] = v
        }
        return out
    }

    func scrape(_ port: Int) -> String? {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/metrics")!)
        request.timeoutInterval = 5
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var body: String?
        URLSession.shared.dataTask(with: request) { data, response, _ in
            if (response as? HTTPURLResponse)?.statusCode == 200, let data { body = String(decoding: data, as: UTF8.self) }
            done.signal()
        }.resume()
        _ = done.wait(timeout: .now() + 10)
        return body
    }

    func promtool(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try ExternalTool.run("/usr/bin/promtool", ["check", "metrics"], stdin: Data(text.utf8))
        XCTAssertEqual(result.status, 0, "promtool check metrics: " + result.stdout + result.stderr, file: file, line: line)
    }

    func testFlagsOnlyRunFeedsItsHistogramsAndMatchesItsReport() throws {
        let api = try ScriptedHTTPServer { r in
            let failed = r.number % 3 == 0
            return (.respond(status: failed ? 500 : 201,
                             body: Array((failed ? #"{"error":"connect ECONNREFUSED 10.0.0.9:5432"}"# : #"{"ok":1}"#).utf8)),
                    .milliseconds(10))
        }
        defer { api.stop() }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("simfleet-live-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let port = EmbeddedBroker.freePort()
        let report = dir.appendingPathComponent("run.json"), html = dir.appendingPathComponent("run.html")
        let out = dir.appendingPathComponent("stdout"), err = dir.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = try simfleetBinary()
        process.arguments = ["run", "--devices", "8", "--duration", "6s", "--heartbeat", "1s", "--ramp", "100/s",
                             "--metrics-port", String(port), "--metrics-linger", "60s", "--report", report.path, "--html", html.path,
                             "--api", api.url("/api"), "--register-retries", "2"]
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        defer { if process.isRunning { process.terminate(); process.waitUntilExit() } }

        // During the run: the histograms are fed, sample for sample with the counters beside them.
        var mid = ""
        awaitCondition("heartbeats on /metrics", timeout: 30) {
            mid = scrape(port) ?? ""
            return (Self.samples(mid)["simfleet_messages_received_total"] ?? 0) >= 16
        }
        let live = Self.samples(mid)
        XCTAssertEqual(live["simfleet_e2e_latency_seconds_count"], live["simfleet_messages_received_total"])
        XCTAssertEqual(live["simfleet_connect_latency_seconds_count"], 8)
        XCTAssertGreaterThan(live[#"simfleet_http_requests_total{kind="register"}"#] ?? 0, 0)
        try promtool(mid)

        // After the run, /metrics lingers with the final figures: they equal the report's.
        awaitCondition("the report is written", timeout: 60) { FileManager.default.fileExists(atPath: report.path) }
        let final = Self.samples(try XCTUnwrap(scrape(port)))
        let json = try ReportDocument(bytes: Array(Data(contentsOf: report)))
        func reported(_ path: [String]) -> Double? { json.number(at: path) }
        XCTAssertEqual(final["simfleet_connect_latency_seconds_count"], reported(["latency", "connect_ms", "count"]))
        XCTAssertEqual(final["simfleet_e2e_latency_seconds_count"], reported(["latency", "e2e_ms", "count"]))
        XCTAssertEqual(final["simfleet_messages_received_total"], reported(["messages", "received"]))
        XCTAssertEqual(final[#"simfleet_e2e_latency_seconds_bucket{le="+Inf"}"#], reported(["latency", "e2e_ms", "count"]))
        XCTAssertEqual(final[#"simfleet_http_requests_total{kind="register"}"#], reported(["http", "register", "requests"]))
        XCTAssertEqual(final[#"simfleet_http_responses_total{kind="register",code="500"}"#], reported(["http", "register", "status", "500"]))
        XCTAssertEqual(final[#"simfleet_http_responses_total{kind="register",code="201"}"#], reported(["http", "register", "status", "201"]))
        XCTAssertEqual(final[#"simfleet_http_request_duration_seconds_count{kind="register"}"#],
                       reported(["http", "register", "latency", "count"]))
        XCTAssertEqual(reported(["http", "register", "requests"]), Double(api.requests("/api/devices/register")))
        XCTAssertGreaterThan(reported(["http", "register", "status", "500"]) ?? 0, 0)
        try promtool(try XCTUnwrap(scrape(port)))

        process.terminate()  // ends the linger
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        let stdout = try String(contentsOf: out, encoding: .utf8), stderr = try String(contentsOf: err, encoding: .utf8)
        XCTAssertFalse(stdout.contains("ECONNREFUSED") || stderr.contains("ECONNREFUSED"), "answers never reach stdout or stderr")
        XCTAssertTrue(stdout.contains("http       register"), stdout)
        XCTAssertEqual(json.value(at: ["scenario"])?.isNull, true, "a flags-only run has no scenario name")
        let page = try String(contentsOf: html, encoding: .utf8)
        XCTAssertTrue(page.contains("Device HTTP requests") && page.contains("register latency"))
    }

    func simfleetBinary() throws -> URL {
        let bundle = Bundle(for: LiveMetricsTests.self).bundleURL
        let candidates = [bundle, bundle.deletingLastPathComponent()].map { $0.appendingPathComponent("simfleet") }
        return try XCTUnwrap(candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) })
    }
}
