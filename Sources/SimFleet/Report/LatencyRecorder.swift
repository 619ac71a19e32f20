import Histogram

/// A latency histogram in microseconds (hdrhistogram, 3 significant digits, up to 1 hour), owned by
/// one thread; recorders are merged for the report.
struct LatencyRecorder {
    private(set) var histogram = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)

    init() {}

    /// A recorder holding `histogram` (decoded from a report; same range and precision).
    init(histogram: Histogram<UInt64>) { self.histogram = histogram }

    /// The histogram in HdrHistogram's compressed V2 encoding (`HdrHistogramEncoding`).
    var encoded: String { HdrHistogramEncoding.encode(histogram) }

    /// Reads a histogram a report carries (`encoded`).
    init(encoded: String) throws(HistogramDecodingError) {
        self.init()
        histogram = try HdrHistogramEncoding.decode(encoded, like: histogram)
    }

    mutating func record(microseconds: Int64) {
        _ = histogram.record(UInt64(max(0, min(microseconds, 3_600_000_000))))
    }

    mutating func merge(_ other: LatencyRecorder) {
        histogram.add(other.histogram)
    }

    var count: Int { Int(histogram.totalCount) }

    /// `count p50 p90 p99 p999 max` in milliseconds, as the report wants them.
    var summary: LatencySummary {
        let h = histogram
        func ms(_ v: UInt64) -> Double { Double(v) / 1000 }
        guard h.totalCount > 0 else { return LatencySummary(count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0) }
        return LatencySummary(
            count: Int(h.totalCount), p50: ms(h.valueAtPercentile(50)), p90: ms(h.valueAtPercentile(90)),
            p99: ms(h.valueAtPercentile(99)), p999: ms(h.valueAtPercentile(99.9)), max: ms(h.max))
    }

    /// Counts at or below each bucket bound (ms), for the report's e2e histogram.
    func buckets(boundsMs: [Double]) -> [(leMs: Double, count: Int)] {
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

/// Percentiles of one latency distribution, in milliseconds.
public struct LatencySummary: Sendable, Equatable {
    public var count: Int
    public var p50: Double
    public var p90: Double
    public var p99: Double
    public var p999: Double
    public var max: Double
}
