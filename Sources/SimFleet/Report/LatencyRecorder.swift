import Histogram

/// A latency histogram in microseconds (hdrhistogram, 3 significant digits, up to 1 hour), owned by
/// one thread; recorders are merged for the report. The histogram's 188 KB of counts are allocated
/// at the first value: many recorders of a run stay empty (HTTP kinds no device used, idle reactors).
struct LatencyRecorder {
    private var recorded: Histogram<UInt64>?

    init() {}

    /// A recorder holding `histogram` (decoded from a report; same range and precision).
    init(histogram: Histogram<UInt64>) { recorded = histogram }

    /// The values recorded so far (an empty histogram of the same range and precision if none).
    var histogram: Histogram<UInt64> { recorded ?? Self.emptyHistogram() }

    /// The histogram in HdrHistogram's compressed V2 encoding (`HdrHistogramEncoding`).
    var encoded: String { recorded.map(HdrHistogramEncoding.encode) ?? Self.emptyEncoding }

    /// Reads a histogram a report carries (`encoded`).
    init(encoded: String) throws(HistogramDecodingError) {
        recorded = try HdrHistogramEncoding.decode(encoded, like: Self.emptyHistogram())
    }

    mutating func record(microseconds: Int64) {
        if recorded == nil { recorded = Self.emptyHistogram() }
        _ = recorded!.record(UInt64(max(0, min(microseconds, 3_600_000_000))))
    }

    mutating func merge(_ other: LatencyRecorder) {
        guard let values = other.recorded else { return }
        if recorded == nil { recorded = values } else { recorded!.add(values) }
    }

    var count: Int { Int(recorded?.totalCount ?? 0) }

    /// `count p50 p90 p99 p999 max` in milliseconds, as the report wants them.
    var summary: LatencySummary {
        func ms(_ v: UInt64) -> Double { Double(v) / 1000 }
        guard let h = recorded, h.totalCount > 0 else { return LatencySummary(count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0) }
        return LatencySummary(
            count: Int(h.totalCount), p50: ms(h.valueAtPercentile(50)), p90: ms(h.valueAtPercentile(90)),
            p99: ms(h.valueAtPercentile(99)), p999: ms(h.valueAtPercentile(99.9)), max: ms(h.max))
    }

    /// Counts at or below each bucket bound (ms), for the report's e2e histogram.
    func buckets(boundsMs: [Double]) -> [(leMs: Double, count: Int)] {
        guard let histogram = recorded else { return boundsMs.map { ($0, 0) } }
        var out: [(Double, Int)] = []
        var previous: UInt64 = 0
        for bound in boundsMs {
            let upper = UInt64(bound * 1000)
            let c = previous > upper ? 0 : histogram.count(within: previous...upper)
            out.append((bound, Int(c)))
            previous = upper + 1
        }
        return out
    }
}

extension LatencyRecorder {
    static func emptyHistogram() -> Histogram<UInt64> {
        Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
    }

    /// What every empty recorder encodes to, made once.
    static let emptyEncoding = HdrHistogramEncoding.encode(emptyHistogram())
}

/// Percentiles of one latency distribution, in milliseconds.
public struct LatencySummary: Sendable, Equatable {
    public var count: Int
    public var p50: Double
    public var p90: Double
    public var p99: Double
    public var p999: Double
    public var max: Double
}
