import Foundation

/// A linear axis with "nice" tick values (1, 2, 5 × 10ⁿ), so chart labels read 0, 50, 100.
struct ChartScale {
    var lower: Double
    var upper: Double
    var ticks: [Double]

    /// `tight` ends the axis at the data (time axes); otherwise it ends at the next round tick.
    init(min dataMin: Double, max dataMax: Double, targetTicks: Int = 5, tight: Bool = false) {
        let low = Swift.min(0, dataMin)
        var high = Swift.max(dataMax, low)
        if high - low < 1e-9 { high = low + 1 }  // all samples equal (often all zero): a unit axis
        let rough = (high - low) / Double(targetTicks)
        let power = pow(10, floor(log10(rough)))
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= rough } ?? 10 * power
        lower = floor(low / step) * step
        upper = ceil(high / step) * step
        ticks = stride(from: lower, through: upper + step / 2, by: step).map { $0 }
        if tight {
            upper = high
            ticks = ticks.filter { $0 <= high + 1e-9 }
        }
    }

    /// Position of `value` in `0...length`, from the axis' low end.
    func position(_ value: Double, length: Double) -> Double {
        upper == lower ? 0 : (value - lower) / (upper - lower) * length
    }

    /// Tick label: whole numbers plain, large ones with k/M.
    static func label(_ value: Double) -> String {
        let a = abs(value)
        if a >= 1_000_000 { return trim(value / 1_000_000) + "M" }
        if a >= 10_000 { return trim(value / 1000) + "k" }
        return trim(value)
    }

    static func trim(_ value: Double) -> String {
        if value == value.rounded() { return String(Int64(value)) }
        return String(printf: "%.2g", value)
    }
}
