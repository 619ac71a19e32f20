/// Which sides may be compared: units must fit the figure's kind (`2s` with a latency, `%` with
/// a count or a fraction, `MB` with bytes), two figures must be of the same kind, and at least
/// one side must be a figure.
enum ExpressionTypes {
    static func check(_ lhs: Operand, _ op: ComparisonOperator, _ rhs: Operand,
                      error: (String) -> ScenarioError) throws(ScenarioError) {
        switch (lhs, rhs) {
        case (.literal, .literal):
            throw error("compares two numbers; one side must be a reported figure")
        case (.figure(let a), .figure(let b)):
            guard dimension(a.kind) == dimension(b.kind) else {
                throw error("cannot compare " + a.canonical + " (" + a.kind.rawValue + ") with "
                            + b.canonical + " (" + b.kind.rawValue + ")")
            }
        case (.figure(let f), .literal(let q)), (.literal(let q), .figure(let f)):
            try check(f, q, error: error)
        }
    }

    static func check(_ figure: Figure, _ quantity: Quantity, error: (String) -> ScenarioError) throws(ScenarioError) {
        switch (quantity.unit, figure.kind) {
        case (.none, _): return
        case (.percent, .fraction): return
        case (.percent, .count):
            guard figure.percentBase != nil else {
                throw error(figure.canonical + " is a plain count; a percentage of it means nothing")
            }
        case (.milliseconds, .milliseconds), (.milliseconds, .seconds): return
        case (.bytes, .bytes): return
        default:
            throw error(figure.canonical + " is " + article(figure.kind) + " and cannot be compared with "
                        + unitName(quantity.unit))
        }
    }

    /// Seconds and milliseconds compare after conversion.
    static func dimension(_ kind: FigureKind) -> String {
        switch kind {
        case .milliseconds, .seconds: return "time"
        default: return kind.rawValue
        }
    }

    static func article(_ kind: FigureKind) -> String {
        switch kind {
        case .count: return "a count"
        case .fraction: return "a fraction"
        case .milliseconds, .seconds: return "a duration"
        case .bytes: return "a size in bytes"
        }
    }

    static func unitName(_ unit: Quantity.Unit) -> String {
        switch unit {
        case .none: return "a number"
        case .percent: return "a percentage"
        case .milliseconds: return "a duration"
        case .bytes: return "a size"
        }
    }
}
