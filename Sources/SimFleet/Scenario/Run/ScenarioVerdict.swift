import DeviceCore

/// Judges a finished run: the scenario's expectations evaluated on the final report (and its
/// time series for `within`), plus every timeline step that did not happen as written.
public struct ScenarioVerdict: Sendable {
    public var results: [ExpectationResult]

    public init(scenario: Scenario, report: ReportDocument, timelineFailures: [(expression: String, measured: String)]) {
        results = ExpectationEvaluator(report: report).evaluate(scenario.expectations)
            + timelineFailures.map { ExpectationResult(expression: $0.expression, passed: false, measured: $0.measured) }
    }

    public var passed: Bool { results.allSatisfy(\.passed) }
    public var failed: [ExpectationResult] { results.filter { !$0.passed } }

    /// `simfleet run`'s exit status for a run that started: 0 every expectation held, 1 one failed.
    public var exitCode: Int32 { passed ? 0 : 1 }

    /// One line per result for the terminal.
    public func lines() -> [String] {
        results.map { ($0.passed ? "  ✔ " : "  ✘ ") + $0.expression + " — measured " + $0.measured }
    }
}
