/// Rendering a `TelemetryTemplate` into payload bytes: the only per-message work of the sensor
/// task. One buffer, sized up front; numbers are fixed point and written digit by digit (no
/// floating point: an ESP32-C6 has no FPU), so a message costs exactly one allocation, its payload.
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
                appendFixed(lower &+ Int64(bitPattern: generators.random.next(upTo: UInt64(upper &- lower))), decimals: decimals, to: &out)
            case .gauss(let mean, let deviation, let decimals):
                // Twelve uniform draws of 16 bits sum to 6·2¹⁶ on average with a deviation of 2¹⁶.
                var sum: Int64 = -6 << 16
                for _ in 0..<12 { sum += Int64(generators.random.next() >> 48) }
                appendFixed(mean &+ (sum &* deviation) >> 16, decimals: decimals, to: &out)
            case .walk(_, let step, let decimals, let slot):
                let move = Int64(bitPattern: generators.random.next(upTo: UInt64(2 &* step))) &- step
                var position = generators.walks[slot] &+ move
                if !TelemetryTemplate.fits(position) { position = generators.walks[slot] &- move }
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
    var walkStarts: [Int64] {
        var starts: [Int64] = []
        for case .walk(let start, _, _, _) in parts { starts.append(start) }
        return starts
    }
}

/// Appends a fixed-point number: `value` in units of the last of `decimals` decimals
/// (`-2150`, 2 → `-21.50`).
func appendFixed(_ value: Int64, decimals: Int, to out: inout [UInt8]) {
    var scale: Int64 = 1
    for _ in 0..<decimals { scale *= 10 }
    if value < 0 { out.append(UInt8(ascii: "-")) }
    var magnitude = value.magnitude
    appendDecimal(Int64(magnitude / UInt64(scale)), to: &out)
    guard decimals > 0 else { return }
    out.append(UInt8(ascii: "."))
    magnitude %= UInt64(scale)
    var digit = UInt64(scale / 10)
    while digit > 0 {
        out.append(UInt8(ascii: "0") + UInt8(magnitude / digit))
        magnitude %= digit
        digit /= 10
    }
}

/// A stream's random state: its generator and the positions of its random walks.
struct TelemetryGenerators: Sendable {
    var random: SeededRandom
    var walks: [Int64]
}
