import DeviceCore
import XCTest
@testable import SimFleet

/// `Units.duration`: the one duration syntax of scenario files, expectations and command-line flags.
final class DurationSyntaxTests: XCTestCase {
    func testEveryFormAFlagOrAScenarioAcceptsReadsAsTheSameSpan() throws {
        let table: [(String, TimeSpan)] = [
            ("500ms", .milliseconds(500)), ("10s", .seconds(10)), ("5m", .seconds(300)), ("1h", .seconds(3600)),
            ("250us", TimeSpan(microseconds: 250)), ("1m30s", .seconds(90)), ("1h1m1s", .seconds(3661)),
            ("30s1m", .seconds(90)), ("1.5s", .milliseconds(1500)), (".5s", .milliseconds(500)), ("0.02s", .milliseconds(20)),
            ("60", .seconds(60)), ("0.5", .milliseconds(500)), ("0", .zero), ("0s", .zero), ("+5s", .seconds(5)),
            ("1e3ms", .seconds(1)), ("1E-3s", .milliseconds(1)), ("2e1", .seconds(20)), ("  10s ", .seconds(10)),
            ("7", .seconds(7)),
        ]
        for (text, expected) in table {
            XCTAssertEqual(try Units.duration(text), expected, "'" + text + "'")
        }
    }

    func testMalformedDurationsSayWhatWasWrong() {
        let table: [(String, DurationError.Problem, String)] = [
            ("", .empty, "empty (a duration is a number with a unit, like 500ms, 10s, 5m or 1h)"),
            ("   ", .empty, "empty (a duration is a number with a unit, like 500ms, 10s, 5m or 1h)"),
            ("s", .missingNumber(beforeUnit: "s"), "no number before 's'"),
            ("inf", .missingNumber(beforeUnit: "inf"), "no number before 'inf'"),
            ("nan", .missingNumber(beforeUnit: "nan"), "no number before 'nan'"),
            ("1.2.3s", .malformedNumber("1.2.3"), "'1.2.3' is not a number"),
            (".s", .malformedNumber("."), "'.' is not a number"),
            ("1m30", .missingUnit(afterNumber: "30"), "'30' has no unit (only a whole duration may be a bare number of seconds)"),
            ("10 minutes", .unknownUnit(" minutes"), "unknown unit ' minutes' (units: us, ms, s, m, h)"),
            ("2d", .unknownUnit("d"), "unknown unit 'd' (units: us, ms, s, m, h)"),
            ("5 parsecs", .unknownUnit(" parsecs"), "unknown unit ' parsecs' (units: us, ms, s, m, h)"),
            ("5e", .unknownUnit("e"), "unknown unit 'e' (units: us, ms, s, m, h)"),
            ("-5s", .negative, "negative"),
            ("1e300", .tooLarge, "too large"),
            ("1e9s", .tooLarge, "too large"),
            ("99999999999999999999h", .tooLarge, "too large"),
        ]
        for (text, problem, reason) in table {
            XCTAssertThrowsError(try Units.duration(text), "'" + text + "'") { error in
                guard let e = error as? DurationError else { return XCTFail("'" + text + "': \(error)") }
                XCTAssertEqual(e.problem, problem, "'" + text + "'")
                XCTAssertEqual(e.reason, reason, "'" + text + "'")
                XCTAssertEqual(e.description, "'" + text + "' is not a duration: " + reason)
            }
        }
    }

    func testAScenarioKeyAcceptsABareNumberOfSecondsAsAFlagDoes() throws {
        let file = "name: t\nduration: 60\nfleet: [{count: 1, heartbeat: 1.5}]\n"
        let scenario = try ScenarioLoader.parse(bytes: Array(file.utf8), file: "t.yaml")
        XCTAssertEqual(scenario.duration, .seconds(60))
        XCTAssertEqual(scenario.fleet.first?.heartbeat, .milliseconds(1500))
    }
}
