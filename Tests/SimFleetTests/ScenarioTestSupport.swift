import Foundation
import XCTest
@testable import SimFleet

/// The package root, from this file's path (tests never depend on the working directory).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// Parses scenario text as if it were the file `t.yaml`.
func parseScenario(_ text: String) throws(ScenarioError) -> Scenario {
    try ScenarioLoader.parse(bytes: Array(text.utf8), file: "t.yaml")
}

/// The error a scenario text gives, failing the test when it parses.
func scenarioError(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> ScenarioError? {
    do {
        _ = try parseScenario(text)
        XCTFail("scenario unexpectedly valid", file: file, line: line)
        return nil
    } catch {
        return error
    }
}

/// A minimal valid scenario with `extra` appended (timeline, expect, firmware…).
func minimalScenario(_ extra: String = "", count: Int = 10) -> String {
    """
    name: t
    duration: 60s
    fleet:
      - name: main
        count: \(count)
    firmware:
      - version: 1.2.0
    \(extra)
    """
}
