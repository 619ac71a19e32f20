import Foundation
import DeviceCore

/// Parsing and printing of the units scenario files use: durations, percentages, byte sizes.
public enum Units {
    /// The one duration syntax, for scenario files, expectations and command-line flags alike:
    /// terms of a number and a unit (`us`, `ms`, `s`, `m`, `h`) written together and added up
    /// (`500ms`, `10s`, `5m`, `1h`, `1m30s`, `1.5s`, `1e3ms`), or a bare number of seconds (`60`,
    /// `0.5`). White space around it is ignored; ranges are the caller's.
    public static func duration(_ text: String) throws(DurationError) -> TimeSpan {
        let trimmed = text.trimmingBlanks()
        func fail(_ problem: DurationError.Problem) -> DurationError { DurationError(text, problem) }
        guard !trimmed.isEmpty else { throw fail(.empty) }
        var rest = Substring(trimmed)
        if rest.first == "+" { rest = rest.dropFirst() }
        if rest.first == "-" { throw fail(.negative) }
        var total: Double = 0
        var terms = 0
        while !rest.isEmpty {
            let number = numberPrefix(rest)
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { !$0.isASCII || !($0.isNumber || $0 == ".") }
            rest = rest.dropFirst(unit.count)
            terms += 1
            guard !number.isEmpty else { throw fail(.missingNumber(beforeUnit: String(unit))) }
            guard let amount = Double(number) else { throw fail(.malformedNumber(String(number))) }
            if unit.isEmpty {
                // A bare number is seconds, but only as the whole text: `1m30` is a slip, not 1m + 30s.
                guard terms == 1, rest.isEmpty else { throw fail(.missingUnit(afterNumber: String(number))) }
                total = amount * 1_000_000
            } else {
                guard let scale = durationUnits[String(unit)] else { throw fail(.unknownUnit(String(unit))) }
                total += amount * scale
            }
        }
        guard total.isFinite, total < 1e15 else { throw fail(.tooLarge) }
        return TimeSpan(microseconds: Int64(total.rounded()))
    }

    /// The number at the start of a term: digits and dots, and an exponent (`e3`, `E-2`) only where
    /// digits follow it, so that a unit may start with a letter.
    private static func numberPrefix(_ text: Substring) -> Substring {
        var end = text.firstIndex { !($0.isASCII && ($0.isNumber || $0 == ".")) } ?? text.endIndex
        if end < text.endIndex, text[end] == "e" || text[end] == "E" {
            var i = text.index(after: end)
            if i < text.endIndex, text[i] == "+" || text[i] == "-" { i = text.index(after: i) }
            let digits = text[i...].prefix { $0.isASCII && $0.isNumber }
            if !digits.isEmpty { end = digits.endIndex }
        }
        return text[..<end]
    }

    /// Microseconds per unit.
    static let durationUnits: [String: Double] = ["us": 1e-3, "ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000]
        .mapValues { $0 * 1000 }

    /// `10%` → 0.1; nil without the `%` sign.
    static func percent(_ text: String) -> Double? {
        let trimmed = text.trimmingBlanks()
        guard trimmed.hasSuffix("%"), let value = Double(trimmed.dropLast()), value.isFinite else { return nil }
        return value / 100
    }

    /// `4096`, `64KB`, `1.5MB`, `1GB` (powers of 1024), below 10¹⁵ bytes; nil otherwise.
    static func bytes(_ text: String) -> Int? {
        let trimmed = text.trimmingBlanks()
        let units: [(String, Double)] = [("GB", 1_073_741_824), ("MB", 1_048_576), ("KB", 1024), ("B", 1)]
        for (suffix, scale) in units where trimmed.hasSuffix(suffix) {
            // Checked on the product, before the conversion to Int: 999999999999GB is 10²¹ bytes.
            guard let value = Double(trimmed.dropLast(suffix.count)), value >= 0, value * scale < 1e15 else { return nil }
            return Int((value * scale).rounded())
        }
        return Int(trimmed)
    }

    /// A span as a scenario file would write it: `500ms`, `10s`, `5m`, `1h`.
    public static func format(_ span: TimeSpan) -> String {
        let ms = span.microseconds / 1000
        if ms % 3_600_000 == 0 && ms != 0 { return String(ms / 3_600_000) + "h" }
        if ms % 60_000 == 0 && ms != 0 { return String(ms / 60_000) + "m" }
        if ms % 1000 == 0 { return String(ms / 1000) + "s" }
        return String(ms) + "ms"
    }
}
