import Foundation

/// Numbers as people read them in reports and failure messages.
enum ValueFormat {
    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(printf: abs(value) >= 100 ? "%.1f" : "%.3g", value)
    }

    static func percent(_ fraction: Double) -> String { number((fraction * 1000).rounded() / 10) + "%" }

    static func milliseconds(_ ms: Double) -> String {
        ms >= 10_000 ? number((ms / 100).rounded() / 10) + " s" : number((ms * 100).rounded() / 100) + " ms"
    }

    static func bytes(_ bytes: Double) -> String {
        let units: [(Double, String)] = [(1_073_741_824, " GB"), (1_048_576, " MB"), (1024, " KB")]
        for (scale, name) in units where bytes >= scale { return number((bytes / scale * 10).rounded() / 10) + name }
        return number(bytes) + " B"
    }

    static func figure(_ raw: Double, kind: FigureKind) -> String {
        switch kind {
        case .count: return number(raw)
        case .fraction: return percent(raw)
        case .milliseconds: return milliseconds(raw)
        case .seconds: return number((raw * 100).rounded() / 100) + " s"
        case .bytes: return bytes(raw)
        }
    }

    static func quantity(_ q: Quantity) -> String {
        switch q.unit {
        case .none: return number(q.value)
        case .percent: return percent(q.value)
        case .milliseconds: return milliseconds(q.value)
        case .bytes: return bytes(q.value)
        }
    }
}
