import Foundation
import XCTest
@testable import SimFleet

final class HdrHistogramEncodingTests: XCTestCase {
    /// A spread of latencies in µs (sub-ms to seconds), deterministic.
    func samples(_ n: Int, seed: UInt64) -> [Int64] {
        var x = seed
        return (0..<n).map { _ in
            x = x &* 6364136223846793005 &+ 1442695040888963407
            return Int64((x >> 33) % 2_000_000) / Int64(1 + (x >> 60))
        }
    }

    func testAnEncodedHistogramReadsBackBucketForBucket() throws {
        var r = LatencyRecorder()
        for v in samples(5000, seed: 1) { r.record(microseconds: v) }
        let back = try LatencyRecorder(encoded: r.encoded)
        XCTAssertEqual(back.count, r.count)
        XCTAssertEqual(back.summary, r.summary)
        XCTAssertEqual(HdrHistogramEncoding.countsInIndexOrder(back.histogram), HdrHistogramEncoding.countsInIndexOrder(r.histogram))
    }

    func testMergedShardHistogramsGiveThePercentilesOfTheWholeNotAnAverage() throws {
        let all = samples(9000, seed: 7)
        var whole = LatencyRecorder()
        var parts = [LatencyRecorder(), LatencyRecorder(), LatencyRecorder()]
        for (i, v) in all.enumerated() {
            whole.record(microseconds: v)
            parts[i % 3].record(microseconds: v * Int64(1 + i % 3))  // shards see different distributions
        }
        var merged = LatencyRecorder()
        for p in parts { merged.merge(try LatencyRecorder(encoded: p.encoded)) }
        var direct = LatencyRecorder()
        for (i, v) in all.enumerated() { direct.record(microseconds: v * Int64(1 + i % 3)) }
        XCTAssertEqual(merged.summary, direct.summary)
        let averaged = parts.map(\.summary.p99).reduce(0, +) / 3
        XCTAssertNotEqual(merged.summary.p99, averaged, "an average of percentiles would be a different number")
    }

    func testTheEncodingIsHdrHistogramsCompressedV2() {
        var r = LatencyRecorder()
        r.record(microseconds: 1234)
        XCTAssertTrue(r.encoded.hasPrefix("HISTFAAA"), r.encoded)
        XCTAssertTrue(LatencyRecorder().encoded.hasPrefix("HISTFAAA"), "an empty histogram encodes too")
    }

    func testAnEmptyHistogramReadsBackEmpty() throws {
        let back = try LatencyRecorder(encoded: LatencyRecorder().encoded)
        XCTAssertEqual(back.count, 0)
    }

    func testAnEmptyRecorderReportsLikeAnEmptyHistogramAndMergesAsNothing() throws {
        let empty = LatencyRecorder()
        XCTAssertEqual(empty.encoded, HdrHistogramEncoding.encode(LatencyRecorder.emptyHistogram()))
        XCTAssertEqual(empty.summary, LatencySummary(count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0))
        XCTAssertEqual(empty.buckets(boundsMs: [1, 10]).map(\.count), [0, 0])
        var some = LatencyRecorder()
        for v in samples(500, seed: 3) { some.record(microseconds: v) }
        var merged = LatencyRecorder()
        merged.merge(empty)
        XCTAssertEqual(merged.count, 0)
        merged.merge(some)
        merged.merge(empty)
        XCTAssertEqual(merged.summary, some.summary)
        XCTAssertEqual(merged.buckets(boundsMs: [1, 10, 1000]).map(\.count), some.buckets(boundsMs: [1, 10, 1000]).map(\.count))
        merged.record(microseconds: 5)
        XCTAssertEqual(merged.count, some.count + 1)
        XCTAssertEqual(some.count, 500, "merging copied the values; the source is unchanged")
    }

    func testBrokenEncodingsAreTypedErrors() {
        var r = LatencyRecorder()
        r.record(microseconds: 99)
        let good = Array(Data(base64Encoded: r.encoded)!)
        XCTAssertThrowsError(try LatencyRecorder(encoded: "not base64 at all!")) { XCTAssertEqual($0 as? HistogramDecodingError, .notBase64) }
        XCTAssertThrowsError(try LatencyRecorder(encoded: Data(good.prefix(10)).base64EncodedString()))
        var cookie = good
        cookie[3] = 0x99
        XCTAssertThrowsError(try LatencyRecorder(encoded: Data(cookie).base64EncodedString())) {
            guard case .wrongCookie = $0 as? HistogramDecodingError else { return XCTFail("\($0)") }
        }
        var deflate = good
        deflate[deflate.count - 3] ^= 0xFF
        XCTAssertThrowsError(try LatencyRecorder(encoded: Data(deflate).base64EncodedString()))
    }

    /// Python's HdrHistogram (PyPI `hdrhistogram`, installed by scripts/install-deps) reads what we
    /// write and we read what it writes: the encoding is the standard one, not a look-alike.
    func testHdrHistogramForPythonReadsOurEncodingAndWeReadItsOwn() throws {
        let python = packageRoot.appendingPathComponent(".build/py-tools/bin/python")
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            return XCTFail("run scripts/install-deps: .build/py-tools/bin/python (hdrhistogram) is missing")
        }
        var r = LatencyRecorder()
        for v in samples(3000, seed: 3) { r.record(microseconds: v) }
        let script = """
            import sys
            from hdrh.histogram import HdrHistogram
            h = HdrHistogram.decode(sys.argv[1])
            print(h.get_total_count(), h.get_value_at_percentile(50), h.get_value_at_percentile(99), h.get_max_value())
            mine = HdrHistogram(1, 3600000000, 3)
            for v in (5, 700, 700, 4096, 250000, 1999999):
                mine.record_value(v)
            print(mine.encode().decode())
            """
        let out = try ChildProcess.run(python, ["-c", script, r.encoded], separateStderr: true)
        XCTAssertEqual(out.status, 0, out.stderr)
        let lines = out.output.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2, out.output)
        let s = r.summary
        func us(_ ms: Double) -> Int { Int((ms * 1000).rounded()) }
        XCTAssertEqual(lines[0], "\(s.count) \(us(s.p50)) \(us(s.p99)) \(us(s.max))")
        let theirs = try LatencyRecorder(encoded: lines[1])
        var expected = LatencyRecorder()
        for v: Int64 in [5, 700, 700, 4096, 250000, 1999999] { expected.record(microseconds: v) }
        // The encoding carries buckets, not the exact largest value: a percentile that lands in the top
        // bucket reads as that bucket's lowest value (as HdrHistogram's own decoders do), within precision.
        let (a, b) = (theirs.summary, expected.summary)
        XCTAssertEqual(a.count, b.count)
        XCTAssertEqual(a.max, b.max)
        for (x, y) in [(a.p50, b.p50), (a.p90, b.p90), (a.p99, b.p99), (a.p999, b.p999)] {
            XCTAssertTrue(expected.histogram.valuesAreEquivalent(UInt64((x * 1000).rounded()), UInt64((y * 1000).rounded())), "\(x) vs \(y)")
        }
    }
}
