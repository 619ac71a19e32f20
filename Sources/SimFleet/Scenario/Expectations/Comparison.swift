import DeviceCore

/// A check on the run's figures: `connect_latency.p99 < 2s`, `rollbacks == corrupted_downloads`,
/// `fleet.version["1.2.0"] >= 90% within 5m`.
public struct Expectation: Equatable, Sendable {
    /// As written in the file (shown in reports and failure messages).
    public var text: String
    public var comparison: Comparison
    /// The comparison must become true at some sample no later than this after the run starts.
    public var within: TimeSpan?
    public var position: SourcePosition
}

/// `lhs op rhs`, both sides figures or literals, checked for compatible kinds when parsed.
public struct Comparison: Equatable, Sendable {
    public var lhs: Operand
    public var op: ComparisonOperator
    public var rhs: Operand
}

public enum ComparisonOperator: String, Equatable, Sendable, CaseIterable {
    case less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">=", equal = "==", notEqual = "!="

    /// Applies the operator; equality allows for floating-point noise.
    public func holds(_ a: Double, _ b: Double) -> Bool {
        let tolerance = 1e-9 * max(1, abs(a), abs(b))
        switch self {
        case .less: return a < b - tolerance
        case .lessOrEqual: return a <= b + tolerance
        case .greater: return a > b + tolerance
        case .greaterOrEqual: return a >= b - tolerance
        case .equal: return abs(a - b) <= tolerance
        case .notEqual: return abs(a - b) > tolerance
        }
    }
}

/// One side of a comparison.
public enum Operand: Equatable, Sendable {
    case figure(Figure)
    case literal(Quantity)
}

/// A number as written with its unit, normalised: durations in milliseconds, percentages as
/// fractions, sizes in bytes.
public struct Quantity: Equatable, Sendable {
    public var value: Double
    public var unit: Unit

    public enum Unit: Equatable, Sendable {
        case none, milliseconds, percent, bytes
    }
}

/// A reported figure: its canonical path in the report JSON, what kind of number it is, and
/// what a percentage of it is a percentage of.
public struct Figure: Equatable, Sendable {
    /// Path in the report, subscripts as plain segments: `["fleet", "version", "1.2.0"]`.
    public var path: [String]
    /// As written, before aliases (`connect_latency.p99`).
    public var written: String
    public var kind: FigureKind
    /// For counts: the figure a percentage refers to (`devices.requested` for fleet counts).
    public var percentBase: [String]?

    /// `latency.connect_ms.p99`, `fleet.version["1.2.0"]`.
    public var canonical: String { FigureCatalog.display(path) }
}

/// What kind of number a figure is, which decides the units it can be compared with.
public enum FigureKind: String, Equatable, Sendable {
    /// A count of things (devices, messages, errors); `%` means a share of its base.
    case count
    /// Already a ratio 0…1 (`messages.delivery`); `%` compares directly.
    case fraction
    /// Milliseconds (`latency.*_ms.*`); compare with `ms`, `s`, `m`, `h`.
    case milliseconds
    /// Seconds (`duration_s`, `simulator.cpu_seconds`); compared in milliseconds.
    case seconds
    /// Bytes (`simulator.peak_rss_bytes`); compare with `KB`, `MB`, `GB`.
    case bytes
}
