import DeviceCore
import XCTest
@testable import SimFleet

final class ExpectationTests: XCTestCase {
    /// A report in the shape of docs/report-format.md with chosen numbers.
    let report = try! ReportDocument(bytes: Array("""
    {"format": 1, "duration_s": 61.5,
     "devices": {"requested": 200, "connected": 200, "online_at_end": 190, "failed": 0},
     "messages": {"sent": 1000, "received": 990, "lost": 10, "delivery": 0.99},
     "reconnects": 3,
     "latency": {"connect_ms": {"count": 200, "p50": 3.1, "p90": 5, "p99": 1800, "p999": 2400, "max": 2500},
                 "e2e_ms": {"count": 990, "p50": 0.8, "p90": 1.2, "p99": 2.5, "p999": 4, "max": 4.1}},
     "errors": {"connect_refused": 2},
     "ota": {"commands": 20, "started": 20, "succeeded": 18, "failed": 2, "rolled_back": 2,
             "refused": {"sha256_mismatch": 2}, "corrupted_downloads": 2},
     "fleet": {"version": {"1.0.0": 20, "1.2.0": 180}, "state": {"online": 190}},
     "acl": {"attempts": 40, "refused": 40, "allowed": 0},
     "simulator": {"peak_rss_bytes": 52428800, "cpu_seconds": 3.2, "reactors": 2, "fd_limit": 20000, "device_ceiling": 19480},
     "timeseries": {"interval_s": 10, "t": [0, 10, 20, 30, 40],
                    "online": [0, 100, 200, 200, 190],
                    "versions": {"1.0.0": [200, 200, 150, 40, 20], "1.2.0": [0, 0, 50, 160, 180]}}}
    """.utf8))

    func expectation(_ text: String) throws -> Expectation {
        try ExpressionParser.expectation(text, at: SourcePosition(file: "t.yaml", line: 3, column: 5))
    }

    func result(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> ExpectationResult {
        do {
            return ExpectationEvaluator(report: report).evaluate(try expectation(text))
        } catch {
            XCTFail("\(error)", file: file, line: line)
            return ExpectationResult(expression: text, passed: false, measured: "")
        }
    }

    func parseError(_ text: String) -> ScenarioError? {
        do { _ = try expectation(text); XCTFail("parsed: " + text); return nil } catch { return error as? ScenarioError }
    }

    func testEveryOperatorPassesAndFails() {
        let cases: [(String, Bool)] = [
            ("reconnects < 4", true), ("reconnects < 3", false),
            ("reconnects <= 3", true), ("reconnects <= 2", false),
            ("reconnects > 2", true), ("reconnects > 3", false),
            ("reconnects >= 3", true), ("reconnects >= 4", false),
            ("reconnects == 3", true), ("reconnects == 2", false),
            ("reconnects != 2", true), ("reconnects != 3", false),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(result(text).passed, expected, text)
            XCTAssertEqual(result(text).measured, "3", text)
        }
    }

    func testAliasesResolveToReportPaths() throws {
        func path(_ text: String) throws -> [String] {
            guard case .figure(let f) = try expectation(text + " >= 0").comparison.lhs else { return [] }
            return f.path
        }
        XCTAssertEqual(try path("delivery"), ["messages", "delivery"])
        XCTAssertEqual(try path("connect_latency.p99"), ["latency", "connect_ms", "p99"])
        XCTAssertEqual(try path("e2e_latency.max"), ["latency", "e2e_ms", "max"])
        XCTAssertEqual(try path("rollbacks"), ["ota", "rolled_back"])
        XCTAssertEqual(try path("corrupted_downloads"), ["ota", "corrupted_downloads"])
        XCTAssertEqual(try path(#"version["1.2.0"]"#), ["fleet", "version", "1.2.0"])
        XCTAssertEqual(try path("online"), ["devices", "online_at_end"])
        XCTAssertEqual(try path("errors.connect_refused"), ["errors", "connect_refused"])
        XCTAssertEqual(try path("connect_all"), ["simulator", "connect_all_s"])
        XCTAssertEqual(try path("unacknowledged"), ["messages", "unacknowledged"])
        XCTAssertEqual(try path("latency.connect_ms.p999"), ["latency", "connect_ms", "p999"], "canonical paths work too")
    }

    func testDurationsCompareInMilliseconds() {
        XCTAssertTrue(result("connect_latency.p99 < 2s").passed)
        XCTAssertEqual(result("connect_latency.p99 < 2s").measured, "1800 ms")
        XCTAssertFalse(result("connect_latency.p99 < 1500ms").passed)
        XCTAssertTrue(result("e2e_latency.p99 <= 2.5").passed, "a bare number is in the figure's own unit (ms)")
        XCTAssertTrue(result("duration < 1m2s").passed, "seconds figures compare with durations")
        XCTAssertFalse(result("duration < 1m").passed)
    }

    func testPercentOfAFractionComparesDirectly() {
        XCTAssertTrue(result("delivery >= 99%").passed)
        XCTAssertFalse(result("delivery >= 100%").passed)
        XCTAssertEqual(result("delivery >= 100%").measured, "99%")
    }

    func testPercentOfACountIsAShareOfItsBase() {
        let r = result(#"fleet.version["1.2.0"] >= 90%"#)
        XCTAssertTrue(r.passed)
        XCTAssertEqual(r.measured, "90% (180 of 200)")
        XCTAssertFalse(result(#"fleet.version["1.2.0"] > 90%"#).passed)
        XCTAssertTrue(result("lost <= 1%").passed, "messages are a share of messages.sent")
        XCTAssertTrue(result("acl_refused >= 100%").passed, "ACL figures are a share of acl.attempts")
        XCTAssertTrue(result("ota_succeeded >= 90%").passed, "OTA figures are a share of ota.commands")
    }

    func testFigureAgainstFigure() {
        XCTAssertTrue(result("rollbacks == corrupted_downloads").passed)
        XCTAssertEqual(result("rollbacks == corrupted_downloads").measured, "2 vs 2")
        XCTAssertFalse(result("online == connected").passed)
        XCTAssertEqual(result("online == connected").measured, "190 vs 200")
        XCTAssertTrue(result("e2e_latency.max < connect_latency.p50").passed == false)
    }

    func testMissingEntriesOfMapsCountAsZeroButMissingFiguresFail() {
        XCTAssertTrue(result(#"fleet.version["9.9.9"] == 0"#).passed)
        XCTAssertTrue(result("errors.connect_failed == 0").passed)
        let noSuch = ExpectationEvaluator(report: try! ReportDocument(bytes: Array(#"{"devices": {}}"#.utf8)))
            .evaluate(try! expectation("reconnects == 0"))
        XCTAssertFalse(noSuch.passed, "a figure the report lacks never passes silently")
        XCTAssertEqual(noSuch.measured, "missing: the report has no reconnects")
        let nullSection = ExpectationEvaluator(report: try! ReportDocument(bytes: Array(#"{"ota": {"refused": null}}"#.utf8)))
            .evaluate(try! expectation("ota_refused.sha256_mismatch == 0"))
        XCTAssertFalse(nullSection.passed, "a section the runtime reports as null is not a zero")
    }

    func testAShareOfZeroNeverPasses() {
        let empty = try! ReportDocument(bytes: Array(#"{"acl": {"attempts": 0, "refused": 0}}"#.utf8))
        let r = ExpectationEvaluator(report: empty).evaluate(try! expectation("acl_refused >= 100%"))
        XCTAssertFalse(r.passed)
        XCTAssertEqual(r.measured, "no share: acl.attempts is 0")
    }

    func testWithinFindsTheFirstSampleThatHolds() {
        let reached = result(#"fleet.version["1.2.0"] >= 75% within 30s"#)
        XCTAssertTrue(reached.passed)
        XCTAssertEqual(reached.measured, "reached at 30 s")
        let late = result(#"fleet.version["1.2.0"] >= 75% within 20s"#)
        XCTAssertFalse(late.passed)
        XCTAssertEqual(late.measured, "not within 20s (closest 25%)")
        XCTAssertTrue(result("online >= 100% within 20s").passed)
    }

    func testParseErrorsPointAtTheColumn() {
        let op = parseError("delivery => 100%")
        XCTAssertEqual(op?.position, SourcePosition(file: "t.yaml", line: 3, column: 5 + 9))
        XCTAssertTrue(op?.message.contains("unknown operator '=>'") ?? false)
        let figure = parseError("delivry >= 100%")
        XCTAssertEqual(figure?.position.column, 5)
        XCTAssertTrue(figure?.message.contains("unknown figure 'delivry'") ?? false)
        let unit = parseError("connect_latency.p99 < 2 fortnights")
        XCTAssertTrue(unit?.message.contains("unexpected 'fortnights'") ?? false)
        let unitGlued = parseError("connect_latency.p99 < 2d")
        XCTAssertTrue(unitGlued?.message.contains("unknown unit 'd'") ?? false)
        XCTAssertEqual(unitGlued?.position.column, 5 + 23)
        let trailing = parseError("delivery >= 100% eventually")
        XCTAssertTrue(trailing?.message.contains("unexpected 'eventually'") ?? false)
    }

    func testUnitsMustFitTheFigure() {
        XCTAssertTrue(parseError("connect_latency.p99 < 10%")?.message.contains("is a duration and cannot be compared with a percentage") ?? false)
        XCTAssertTrue(parseError("delivery > 2s")?.message.contains("is a fraction and cannot be compared with a duration") ?? false)
        XCTAssertTrue(parseError("reconnects == connect_latency.p50")?.message.contains("cannot compare") ?? false)
        XCTAssertTrue(parseError("1 < 2")?.message.contains("one side must be a reported figure") ?? false)
        XCTAssertTrue(parseError("reconnects == 0 within 5m")?.message.contains("'within' needs a figure sampled over time") ?? false)
        XCTAssertTrue(result("peak_rss < 80MB").passed)
        XCTAssertEqual(result("peak_rss < 80MB").measured, "50 MB")
        XCTAssertFalse(result("peak_rss < 40MB").passed)
    }

    func testExpectationsInAFileCarryTheirPositionInsideQuotes() throws {
        let s = try parseScenario(minimalScenario("expect:\n  - delivery >= 100%\n  - 'rollbacks == corrupted_downloads'"))
        XCTAssertEqual(s.expectations.map(\.position.line), [9, 10])
        XCTAssertEqual(s.expectations.map(\.position.column), [5, 6])
        let e = scenarioError(minimalScenario("expect:\n  - 'rollbacks === 0'"))
        XCTAssertEqual(e?.position, SourcePosition(file: "t.yaml", line: 9, column: 16))
    }
}
