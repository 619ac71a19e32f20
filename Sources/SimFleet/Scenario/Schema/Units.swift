import Foundation
import DeviceCore

/// Parsing and printing of the units scenario files use: durations, percentages, byte sizes.
public enum Units {
    /// `500ms`, `10s`, `5m`, `1h`, `1m30s` as a span; nil otherwise (for command-line flags).
    public static func parseDuration(_ text: String) -> TimeSpan? { duration(text) }

    /// `500ms`, `10s`, `5m`, `1h`, `1m30s`, `1.5s`; nil for anything else (a bare number has no unit).
    static func duration(_ text: String) -> TimeSpan? {
        var total: Double = 0
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let amount = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { $0.isLetter }
            rest = rest.dropFirst(unit.count)
            guard let scale = durationUnits[String(unit)] else { return nil }
            total += amount * scale
        }
        guard total.isFinite, total < 1e15 else { return nil }
        return TimeSpan(microseconds: Int64(total.rounded()))
    }

    /// Microseconds per unit.
    static let durationUnits: [String: Double] = ["us": 1e-3, "ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000]
        .mapValues { $0 * 1000 }

    /// `10%` → 0.1; nil without the `%` sign.
    static func percent(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasSuffix("%"), let value = Double(trimmed.dropLast()), value.isFinite else { return nil }
        return value / 100
    }

    /// `4096`, `64KB`, `1.5MB`, `1GB` (powers of 1024), below 10¹⁵ bytes; nil otherwise.
    static func bytes(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("GB", 1_073_741_824), ("MB", 1_048_576), ("KB", 1024), ("B", 1)]
        for (suffix, scale) in units where trimmed.hasSuffix(suffix) {
            // Checked on the product, before the conversion to Int: 999999999999GB is 10²¹ bytes.
            guard let value = Double(trimmed.dropLast(suffix.count)), value >= 0, value * scale < 1e15 else { return nil }
            return Int((value * scale).rounded())
        }
        return Int(trimmed)
    }

    /// A span as a scenario file would write it: `500ms`, `10s`, `5m`, `1h`.
    static func format(_ span: TimeSpan) -> String {
        let ms = span.microseconds / 1000
        if ms % 3_600_000 == 0 && ms != 0 { return String(ms / 3_600_000) + "h" }
        if ms % 60_000 == 0 && ms != 0 { return String(ms / 60_000) + "m" }
        if ms % 1000 == 0 { return String(ms / 1000) + "s" }
        return String(ms) + "ms"
    }
}
