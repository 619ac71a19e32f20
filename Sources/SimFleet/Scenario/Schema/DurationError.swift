/// Why a text is not a duration: what `Units.duration` found wrong, for a flag's or a scenario
/// key's error message.
public struct DurationError: Error, Equatable, CustomStringConvertible {
    /// What is wrong with the text.
    public enum Problem: Equatable, Sendable {
        /// Nothing but white space.
        case empty
        /// A unit with no number before it (`s`, `1m s`).
        case missingNumber(beforeUnit: String)
        /// A number that does not read as one (`1.2.3s`).
        case malformedNumber(String)
        /// A number after the first term with no unit (`1m30`): a bare number is only a whole duration.
        case missingUnit(afterNumber: String)
        /// A unit other than `us`, `ms`, `s`, `m`, `h` (`10 minutes`, `2d`).
        case unknownUnit(String)
        /// Below zero (`-5s`).
        case negative
        /// Not finite, or 10¹⁵ µs (about 31 years) or more.
        case tooLarge
    }

    /// The text as given.
    public let text: String
    public let problem: Problem

    public init(_ text: String, _ problem: Problem) {
        self.text = text
        self.problem = problem
    }

    /// What was wrong, without the text: `unknown unit 'd' (units: us, ms, s, m, h)`.
    public var reason: String {
        switch problem {
        case .empty: return "empty (a duration is a number with a unit, like 500ms, 10s, 5m or 1h)"
        case .missingNumber(let unit): return "no number before '" + unit + "'"
        case .malformedNumber(let number): return "'" + number + "' is not a number"
        case .missingUnit(let number): return "'" + number + "' has no unit (only a whole duration may be a bare number of seconds)"
        case .unknownUnit(let unit): return "unknown unit '" + unit + "' (units: us, ms, s, m, h)"
        case .negative: return "negative"
        case .tooLarge: return "too large"
        }
    }

    /// `'2d' is not a duration: unknown unit 'd' (units: us, ms, s, m, h)`.
    public var description: String { "'" + text + "' is not a duration: " + reason }
}
