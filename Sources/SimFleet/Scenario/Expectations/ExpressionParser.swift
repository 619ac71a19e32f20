import Foundation
import DeviceCore

/// Parses the expectation and condition language: `operand op operand [within duration]`.
/// Errors point at the offending character: `start` is the position of the expression's first
/// character in the scenario file.
struct ExpressionParser {
    let text: String
    let start: SourcePosition
    private let chars: [Character]
    private var index = 0

    init(_ text: String, at start: SourcePosition) {
        self.text = text
        self.start = start
        self.chars = Array(text)
    }

    /// An expectation: a comparison, optionally with a `within` deadline.
    static func expectation(_ text: String, at start: SourcePosition) throws(ScenarioError) -> Expectation {
        var parser = ExpressionParser(text, at: start)
        let comparison = try parser.comparison()
        var within: TimeSpan?
        parser.skipSpaces()
        if parser.peekWord() == "within" {
            let deadlineAt = parser.index
            parser.index += 6
            parser.skipSpaces()
            let word = parser.takeWhile { !$0.isWhitespace }
            let span: TimeSpan
            do { span = try Units.duration(word) } catch {
                throw parser.error("'within' needs a duration like 5m or 90s: " + error.description, at: deadlineAt)
            }
            guard span > .zero else { throw parser.error("'within' needs a duration like 5m or 90s", at: deadlineAt) }
            within = span
            guard case .figure(let figure) = comparison.lhs, FigureCatalog.timeseries(for: figure.path) != nil else {
                throw parser.error("'within' needs a figure sampled over time on the left (fleet.version[\"…\"] or online)",
                                   at: deadlineAt)
            }
            guard case .literal = comparison.rhs else {
                throw parser.error("'within' compares a sampled figure with a number, not with another figure",
                                   at: deadlineAt)
            }
        }
        try parser.expectEnd()
        return Expectation(text: text, comparison: comparison, within: within, position: start)
    }

    /// A timeline condition: `all_online` or a comparison without `within`.
    static func condition(_ text: String, at start: SourcePosition) throws(ScenarioError) -> Condition {
        let trimmed = text.trimmingBlanks()
        if trimmed == "all_online" {
            let online = FigureCatalog.resolve(["online"], written: "online")!
            return Condition(text: trimmed, comparison: Comparison(
                lhs: .figure(online), op: .greaterOrEqual, rhs: .literal(Quantity(value: 1, unit: .percent))))
        }
        var parser = ExpressionParser(text, at: start)
        let comparison = try parser.comparison()
        try parser.expectEnd()
        return Condition(text: trimmed, comparison: comparison)
    }

    mutating func comparison() throws(ScenarioError) -> Comparison {
        let lhs = try operand()
        skipSpaces()
        let opAt = index
        let opText = takeWhile { "<>=!".contains($0) }
        guard let op = ComparisonOperator(rawValue: opText) else {
            throw error(opText.isEmpty ? "expected a comparison operator (< <= > >= == !=)"
                                       : "unknown operator '" + opText + "' (expected < <= > >= == !=)", at: opAt)
        }
        let rhsAt = nextNonSpace()
        let rhs = try operand()
        try ExpressionTypes.check(lhs, op, rhs, error: { (message: String) -> ScenarioError in error(message, at: rhsAt) })
        return Comparison(lhs: lhs, op: op, rhs: rhs)
    }

    mutating func operand() throws(ScenarioError) -> Operand {
        skipSpaces()
        let at = index
        guard index < chars.count else { throw error("expected a figure or a number", at: at) }
        if chars[index].isNumber || chars[index] == "." || chars[index] == "-" { return .literal(try literal()) }
        guard chars[index].isLetter || chars[index] == "_" else {
            throw error("expected a figure or a number, found '" + String(chars[index]) + "'", at: at)
        }
        var segments: [String] = [takeWhile { $0.isLetter || $0.isNumber || $0 == "_" }]
        while index < chars.count {
            if chars[index] == "." {
                index += 1
                let word = takeWhile { $0.isLetter || $0.isNumber || $0 == "_" }
                guard !word.isEmpty else { throw error("expected a name after '.'", at: index) }
                segments.append(word)
            } else if chars[index] == "[" {
                index += 1
                guard index < chars.count, chars[index] == "\"" || chars[index] == "'" else {
                    throw error("expected a quoted key like [\"1.2.0\"]", at: index)
                }
                let quote = chars[index]
                index += 1
                let key = takeWhile { $0 != quote }
                guard index < chars.count else { throw error("unterminated quoted key", at: index) }
                index += 1
                guard index < chars.count, chars[index] == "]" else { throw error("expected ']'", at: index) }
                index += 1
                segments.append(key)
            } else {
                break
            }
        }
        let written = String(chars[at..<index])
        guard let figure = FigureCatalog.resolve(segments, written: written) else {
            throw error("unknown figure '" + written + "' (see docs/scenarios.md for the figures a report has)", at: at)
        }
        return .figure(figure)
    }

    /// A number with an optional unit: `3`, `99.5%`, `2s`, `1m30s`, `500ms`, `80MB`.
    mutating func literal() throws(ScenarioError) -> Quantity {
        let at = index
        let token = takeWhile { $0.isNumber || $0.isLetter || $0 == "." || $0 == "-" || $0 == "_" || $0 == "%" }
        let plain = token.filter { $0 != "_" }
        if let value = Double(plain), value.isFinite { return Quantity(value: value, unit: .none) }
        if plain.hasSuffix("%"), let fraction = Units.percent(plain) { return Quantity(value: fraction, unit: .percent) }
        if let span = try? Units.duration(plain) { return Quantity(value: Double(span.microseconds) / 1000, unit: .milliseconds) }
        if plain.last?.isLetter == true, plain.hasSuffix("B") {
            if let bytes = Units.bytes(plain) { return Quantity(value: Double(bytes), unit: .bytes) }
            if ["KB", "MB", "GB"].contains(String(plain.suffix(2))), Double(plain.dropLast(2)) != nil {
                throw error("'" + token + "' is too large (sizes stay below 10^15 bytes)", at: at)
            }
        }
        let number = token.prefix { $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" }
        guard !number.isEmpty, Double(number.filter { $0 != "_" }) != nil else {
            throw error("'" + token + "' is not a number", at: at)
        }
        let unit = token.dropFirst(number.count).prefix { !$0.isNumber && $0 != "." }
        throw error("unknown unit '" + unit + "' (expected ms, s, m, h, %, KB, MB or GB)", at: at + number.count)
    }

    mutating func expectEnd() throws(ScenarioError) {
        skipSpaces()
        guard index >= chars.count else {
            throw error("unexpected '" + String(chars[index...]) + "' at the end of the expression", at: index)
        }
    }

    mutating func skipSpaces() { while index < chars.count, chars[index].isWhitespace { index += 1 } }

    mutating func nextNonSpace() -> Int {
        skipSpaces()
        return index
    }

    func peekWord() -> String {
        var end = index
        while end < chars.count, chars[end].isLetter { end += 1 }
        return String(chars[index..<end])
    }

    mutating func takeWhile(_ accept: (Character) -> Bool) -> String {
        let from = index
        while index < chars.count, accept(chars[index]) { index += 1 }
        return String(chars[from..<index])
    }

    func error(_ message: String, at offset: Int) -> ScenarioError {
        ScenarioError("in expression '" + text + "': " + message, at: start.advanced(by: offset))
    }
}
