/// Rendering a `TelemetryTemplate` into payload bytes: the only per-message work of the sensor
/// task. One buffer, sized up front; numbers are written digit by digit (Embedded Swift prints no
/// floating point), so a message costs exactly one allocation, its payload.
extension TelemetryTemplate {
    /// What a message's generators read: the device, the clock and the stream's own state.
    struct Context {
        let deviceID: String
        let seq: Int
        let now: Instant
        let uptimeSeconds: Int64
    }

    /// The payload of one message; the stream's generators move on.
    func render(_ context: Context, generators: inout TelemetryGenerators) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(max(capacityHint, paddedLength ?? 0))
        var padAt: Int? = nil
        for part in parts {
            switch part {
            case .text(let bytes): out.append(contentsOf: bytes)
            case .seq: appendDecimal(Int64(context.seq), to: &out)
            case .timestamp: context.now.appendMillisecondsText(to: &out)
            case .uptime: appendDecimal(context.uptimeSeconds, to: &out)
            case .deviceID: out.append(contentsOf: context.deviceID.utf8)
            case .integer(let lower, let upper):
                let span = UInt64(bitPattern: upper &- lower)
                appendDecimal(lower &+ Int64(bitPattern: generators.random.next(upTo: span)), to: &out)
            case .uniform(let lower, let upper, let decimals):
                appendFixed(lower + generators.random.unit() * (upper - lower), decimals: decimals, to: &out)
            case .gauss(let mean, let deviation, let decimals):
                var sum = -6.0
                for _ in 0..<12 { sum += generators.random.unit() }
                appendFixed(mean + deviation * sum, decimals: decimals, to: &out)
            case .walk(_, let step, let decimals, let slot):
                var position = generators.walks[slot] + (2 * generators.random.unit() - 1) * step
                if !TelemetryTemplate.fits(position) { position = generators.walks[slot] }
                generators.walks[slot] = position
                appendFixed(position, decimals: decimals, to: &out)
            case .choice(let options):
                out.append(contentsOf: options[Int(generators.random.next(upTo: UInt64(options.count - 1)))])
            case .pad:
                padAt = out.count
            }
        }
        if let padAt, let total = paddedLength, out.count < total {
            out.insert(contentsOf: repeatElement(UInt8(ascii: "x"), count: total - out.count), at: padAt)
        }
        return out
    }

    /// Starting positions of the template's random walks.
    var walkStarts: [Double] {
        var starts: [Double] = []
        for case .walk(let start, _, _, _) in parts { starts.append(start) }
        return starts
    }
}

extension SeededRandom {
    /// A uniform number in 0..<1 (53 random bits).
    mutating func unit() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }
}

/// Appends `value` rounded to `decimals` places (`-21.50`), for |value| < 10¹²; values outside
/// that range are clamped to it.
func appendFixed(_ value: Double, decimals: Int, to out: inout [UInt8]) {
    var scale: Int64 = 1
    for _ in 0..<decimals { scale *= 10 }
    let bounded = min(max(value, -999_999_999_999), 999_999_999_999)
    let scaled = (bounded * Double(scale)).rounded()
    var magnitude = Int64(scaled < 0 ? -scaled : scaled)
    if scaled < 0 && magnitude != 0 { out.append(UInt8(ascii: "-")) }
    appendDecimal(magnitude / scale, to: &out)
    guard decimals > 0 else { return }
    out.append(UInt8(ascii: "."))
    magnitude %= scale
    var digit = scale / 10
    while digit > 0 {
        out.append(UInt8(ascii: "0") + UInt8(magnitude / digit))
        magnitude %= digit
        digit /= 10
    }
}

/// A stream's random state: its generator and the positions of its random walks.
struct TelemetryGenerators: Sendable {
    var random: SeededRandom
    var walks: [Double]
}
