import DeviceCore
import Foundation
import XCTest
@testable import SimFleet

final class HTMLReportTests: XCTestCase {
    func report(_ json: String) throws -> String {
        HTMLReport(report: try ReportDocument(bytes: Array(json.utf8))).render()
    }

    let run = """
    {"format": 1, "scenario": "canary", "seed": 7, "started_at": "2026-11-29T06:00:00Z", "duration_s": 30,
     "backend": {"broker": "mqtt://127.0.0.1:41883", "embedded": true},
     "devices": {"requested": 10, "connected": 10, "online_at_end": 9, "failed": 0},
     "messages": {"sent": 100, "received": 99, "lost": 1, "delivery": 0.99},
     "reconnects": 1,
     "latency": {"connect_ms": {"count": 10, "p50": 3, "p90": 4, "p99": 5, "p999": 5, "max": 5},
                 "e2e_ms": {"count": 99, "p50": 0.8, "p90": 1.2, "p99": 2.5, "p999": 4, "max": 4.1},
                 "e2e_histogram": [{"le_ms": 1, "count": 70}, {"le_ms": 2, "count": 25}, {"le_ms": 5, "count": 4}]},
     "errors": {"connect_refused": 0, "<img src=x>": 2},
     "ota": {"commands": 1, "started": 1, "succeeded": 1, "failed": 0, "rolled_back": 0, "corrupted_downloads": 0},
     "fleet": {"version": {"1.0.0": 9, "<script>alert(1)</script>": 1}},
     "timeseries": {"interval_s": 10, "t": [0, 10, 20, 30], "online": [0, 10, 10, 9], "messages_per_s": [0, 3, 3, 3], "connecting": [10, 0, 0, 1], "errors": [0, 0, 1, 1],
                    "versions": {"1.0.0": [10, 10, 9, 9], "<script>alert(1)</script>": [0, 0, 1, 1]}},
     "expectations": [{"expression": "delivery >= 100%", "passed": false, "measured": "99%"},
                      {"expression": "connect_latency.p99 < 2s", "passed": true, "measured": "5 ms"}],
     "passed": false}
    """

    func testPageIsSelfContainedWithInlineSVGCharts() throws {
        let html = try report(run)
        XCTAssertTrue(html.hasPrefix("<!doctype html>"))
        XCTAssertTrue(html.contains("<style>"))
        for external in ["<script", "<link", "src=\"http", "href=", "@import", "url("] {
            XCTAssertFalse(html.contains(external), "the page must not load anything: found " + external)
        }
        let charts = html.components(separatedBy: "<svg ").count - 1
        XCTAssertEqual(charts, 6, "online, messages/s, OTA per version, connecting/errors, histogram, percentiles")
        XCTAssertTrue(html.contains("aria-label=\"Devices online\""))
        XCTAssertTrue(html.contains("aria-label=\"OTA progress: devices per firmware version\""))
    }

    func testExpectationsAreListedWithResultAndMeasuredValue() throws {
        let html = try report(run)
        XCTAssertTrue(html.contains("<div class=\"badge fail\">FAILED</div>"))
        XCTAssertTrue(html.contains("fail\">✘ fail</td><td><code>delivery &gt;= 100%</code></td><td>99%</td>"))
        XCTAssertTrue(html.contains("pass\">✔ pass</td><td><code>connect_latency.p99 &lt; 2s</code></td><td>5 ms</td>"))
    }

    func testReportDataIsEscaped() throws {
        let html = try report(run)
        XCTAssertFalse(html.contains("<script>alert(1)</script>"))
        XCTAssertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        XCTAssertFalse(html.contains("<img src=x>"))
    }

    func testSparseReportRendersPlaceholdersInsteadOfFailing() throws {
        let html = try report(#"{"format": 1, "devices": {"requested": 5}}"#)
        XCTAssertTrue(html.contains("No samples in this report."))
        XCTAssertTrue(html.contains("This run checked no expectations."))
        XCTAssertTrue(html.contains("NO EXPECTATIONS"))
    }

    func testNotAReportIsATypedError() {
        XCTAssertThrowsError(try ReportDocument(bytes: Array("[1, 2]".utf8)))
        XCTAssertThrowsError(try ReportDocument(bytes: Array("{\"format\": ".utf8)))
    }

    func testChartScaleUsesRoundTicks() {
        XCTAssertEqual(ChartScale(min: 0, max: 187).ticks, [0, 50, 100, 150, 200])
        XCTAssertEqual(ChartScale(min: 0, max: 9_800).ticks, [0, 2000, 4000, 6000, 8000, 10000])
        XCTAssertEqual(ChartScale.label(12_000), "12k")
        XCTAssertEqual(ChartScale(min: 0, max: 0).ticks.map(ChartScale.label), ["0", "0.2", "0.4", "0.6", "0.8", "1"],
                       "all-zero series get a unit axis")
    }

    func testReportCommandWritesTheHTMLFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("simfleet-report-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("run.json")
        try Data(run.utf8).write(to: input)
        let tool = Simfleet.executable
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: tool.path), "scripts/test builds the tool before testing")
        let process = Process()
        process.executableURL = tool
        process.arguments = ["report", input.path]
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        let html = try String(contentsOf: dir.appendingPathComponent("run.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("<h1>canary</h1>"))
    }
}
