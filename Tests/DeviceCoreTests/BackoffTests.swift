import XCTest
@testable import DeviceCore

final class BackoffTests: XCTestCase {
    let backoff = Backoff(base: .seconds(1), cap: .seconds(60), floor: .milliseconds(100))

    func testCeilingDoublesFromTheBaseUpToTheCap() {
        let ceilings = (0...8).map { backoff.ceiling(afterFailures: $0).milliseconds }
        XCTAssertEqual(ceilings, [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000])
    }

    func testCeilingSaturatesForAbsurdFailureCounts() {
        XCTAssertEqual(backoff.ceiling(afterFailures: 10_000), .seconds(60))
        XCTAssertEqual(backoff.ceiling(afterFailures: Int.max), .seconds(60))
        let huge = Backoff(base: TimeSpan(microseconds: Int64.max / 3), cap: TimeSpan(microseconds: Int64.max))
        XCTAssertEqual(huge.ceiling(afterFailures: 70), TimeSpan(microseconds: Int64.max))
    }

    func testFullJitterDrawsCoverTheWholeRangeAboveTheFloor() {
        var random = SeededRandom(seed: 1)
        var low = Int64.max, high = Int64.min
        for _ in 0..<2000 {
            let d = backoff.delay(afterFailures: 3, using: &random).milliseconds
            XCTAssertTrue((100...8000).contains(d))
            low = min(low, d)
            high = max(high, d)
        }
        XCTAssertLessThan(low, 500, "full jitter reaches down towards the floor")
        XCTAssertGreaterThan(high, 7500, "and up towards the ceiling")
    }

    func testAZeroFloorIsRaisedSoDelaysAreNeverZero() {
        let zero = Backoff(base: .zero, cap: .zero, floor: .zero)
        var random = SeededRandom(seed: 3)
        for failures in 0..<50 {
            XCTAssertGreaterThan(zero.delay(afterFailures: failures, using: &random), .zero)
        }
    }
}
