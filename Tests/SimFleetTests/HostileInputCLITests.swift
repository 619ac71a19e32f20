import DeviceCore
import Foundation
import XCTest
@testable import SimFleet

/// The `simfleet` executable given hostile input: numbers no run can use are refused with exit 2
/// and the flag or key named, never a trap.
final class HostileInputCLITests: XCTestCase {
    private func temporary(_ name: String, _ contents: [UInt8]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString)-" + name)
        try Data(contents).write(to: url)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    private func assertRefused(_ arguments: [String], naming what: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let run = try Simfleet.run(arguments)
        XCTAssertEqual(run.status, 2, arguments.joined(separator: " ") + ": " + run.output, file: file, line: line)
        XCTAssertTrue(run.output.contains(what), arguments.joined(separator: " ") + ": " + run.output, file: file, line: line)
    }

    func testDurationsAndRatesNoRunCanUseExitTwoNamingTheFlag() throws {
        for (flag, value) in [("--heartbeat", "inf"), ("--heartbeat", "1e300"), ("--heartbeat", "nan"), ("--heartbeat", "2h"),
                              ("--timer-tick", "1e300"), ("--timer-tick", "inf"), ("--duration", "inf"), ("--duration", "1e300"),
                              ("--ramp", "1e-300/s"), ("--ramp", "inf/s")] {
            try assertRefused(["run", "--devices", "1", flag, value], naming: flag)
        }
    }

    func testScenarioRunFlagsAndScenarioValuesOutOfRangeExitTwo() throws {
        let base = """
            name: hostile
            duration: 10s
            fleet:
              - count: 1

            """
        let scenario = try temporary("ok.yaml", Array(base.utf8))
        for (flag, value) in [("--ramp", "1e-300/s"), ("--ramp", "inf/s"), ("--heartbeat", "2h"), ("--duration", "1000h"),
                              ("--timer-tick", "1e300")] {
            try assertRefused(["run", scenario.path, flag, value], naming: flag)
        }
        for (key, yaml) in [("ramp", base.replacingOccurrences(of: "count: 1", with: "count: 1\n    ramp: 1e-300/s")),
                            ("size", base + "firmware:\n  - version: 2.0.0\n    size: 999999999999GB\n"),
                            ("999999999999GB", base + "expect:\n  - 'peak_rss < 999999999999GB'\n")] {
            let file = try temporary("value.yaml", Array(yaml.utf8))
            try assertRefused(["validate", file.path], naming: key)
        }
    }
}
