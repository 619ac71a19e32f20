import DeviceCore
import Foundation

/// The outcome of one expectation against a report, with the value that decided it.
public struct ExpectationResult: Equatable, Sendable {
    public var expression: String
    public var passed: Bool
    /// The measured value as people read it: `87.5%`, `1834 ms`, `3 vs 2`, `reached at 42 s`.
    public var measured: String
}

/// Evaluates comparisons against report figures. Percentages of counts are shares of the figure's
/// base (`fleet.version[…]` of `devices.requested`); seconds are compared in milliseconds.
public struct ExpectationEvaluator: Sendable {
    public var report: ReportDocument

    public init(report: ReportDocument) { self.report = report }

    public func evaluate(_ expectations: [Expectation]) -> [ExpectationResult] {
        expectations.map(evaluate)
    }

    public func evaluate(_ expectation: Expectation) -> ExpectationResult {
        if let deadline = expectation.within { return evaluate(expectation, within: deadline) }
        switch measure(expectation.comparison) {
        case .failure(let why):
            return ExpectationResult(expression: expectation.text, passed: false, measured: why.why)
        case .success(let outcome):
            return ExpectationResult(expression: expectation.text, passed: outcome.holds, measured: outcome.measured)
        }
    }

    /// Whether a timeline condition holds on a live snapshot (missing figures: not yet).
    public func holds(_ comparison: Comparison) -> Bool {
        if case .success(let outcome) = measure(comparison) { return outcome.holds }
        return false
    }

    struct Outcome {
        var holds: Bool
        var measured: String
    }

    struct Missing: Error { var why: String }

    func measure(_ comparison: Comparison) -> Result<Outcome, Missing> {
        do {
            let a = try side(comparison.lhs, against: comparison.rhs)
            let b = try side(comparison.rhs, against: comparison.lhs)
            let holds = comparison.op.holds(a.value, b.value)
            let measured: String
            switch (comparison.lhs, comparison.rhs) {
            case (.figure, .figure): measured = a.text + " vs " + b.text
            case (.figure, _): measured = a.text
            default: measured = b.text
            }
            return .success(Outcome(holds: holds, measured: measured))
        } catch let missing as Missing {
            return .failure(missing)
        } catch {
            return .failure(Missing(why: "\(error)"))
        }
    }

    /// One side's value in the comparison's common scale, and how to show it.
    func side(_ operand: Operand, against other: Operand) throws -> (value: Double, text: String) {
        switch operand {
        case .literal(let q):
            return (q.value, ValueFormat.quantity(q))
        case .figure(let figure):
            let raw = try figureValue(figure)
            if case .literal(let q) = other, q.unit == .percent, figure.kind == .count, let basePath = figure.percentBase {
                let base = try figureValue(FigureCatalog.resolve(basePath, written: "")!)
                guard base > 0 else {
                    throw Missing(why: "no share: " + FigureCatalog.display(basePath) + " is 0")
                }
                return (raw / base, ValueFormat.percent(raw / base) + " (" + ValueFormat.number(raw) + " of "
                                    + ValueFormat.number(base) + ")")
            }
            return (figure.kind == .seconds ? raw * 1000 : raw, ValueFormat.figure(raw, kind: figure.kind))
        }
    }

    func figureValue(_ figure: Figure) throws -> Double {
        if let value = report.number(at: figure.path) { return value }
        // A version, state or kind the run never saw counts 0, but only when the map itself is
        // reported: a section the runtime leaves null is missing, never a silent zero.
        if FigureCatalog.missingMeansZero(figure.path), case .object? = report.value(at: Array(figure.path.dropLast())) {
            return 0
        }
        if FigureCatalog.missingMeansZeroDeep(figure.path), case .object? = report.value(at: Array(figure.path.prefix(2))) {
            return 0
        }
        throw Missing(why: "missing: the report has no " + figure.canonical)
    }

    /// `within`: the first sample at or before the deadline where the comparison held.
    func evaluate(_ expectation: Expectation, within deadline: TimeSpan) -> ExpectationResult {
        let comparison = expectation.comparison
        guard case .figure(let figure) = comparison.lhs, case .literal(let limit) = comparison.rhs,
              let seriesPath = FigureCatalog.timeseries(for: figure.path),
              let times = report.series(at: ["timeseries", "t"]) else {
            return ExpectationResult(expression: expectation.text, passed: false, measured: "missing: no timeseries in the report")
        }
        let samples = report.series(at: seriesPath) ?? Array(repeating: 0, count: times.count)
        var base = 1.0
        if limit.unit == .percent, let basePath = figure.percentBase {
            base = report.number(at: basePath) ?? 0
            guard base > 0 else {
                return ExpectationResult(expression: expectation.text, passed: false,
                                         measured: "no share: " + FigureCatalog.display(basePath) + " is 0")
            }
        }
        let deadlineSeconds = Double(deadline.microseconds) / 1e6
        var best: Double?
        for (t, sample) in zip(times, samples) where t <= deadlineSeconds + 1e-9 {
            let value = limit.unit == .percent ? sample / base : sample
            if comparison.op.holds(value, limit.value) {
                return ExpectationResult(expression: expectation.text, passed: true,
                                         measured: "reached at " + ValueFormat.number(t) + " s")
            }
            best = best.map { comparison.op == .less || comparison.op == .lessOrEqual ? min($0, value) : max($0, value) } ?? value
        }
        let shown = best.map { limit.unit == .percent ? ValueFormat.percent($0) : ValueFormat.number($0) } ?? "no samples"
        return ExpectationResult(expression: expectation.text, passed: false,
                                 measured: "not within " + Units.format(deadline) + " (closest " + shown + ")")
    }
}
