import XCTest
@testable import SimFleet

final class TimerHeapTests: XCTestCase {
    func testDueEntriesComeOutInDeadlineOrderAndMovedOnesFollowTheirNewDeadline() {
        var heap = TimerHeap()
        heap.set(0, to: 50)
        heap.set(1, to: 10)
        heap.set(2, to: 30)
        heap.set(1, to: 40)  // moved later
        heap.set(3, to: 5)
        heap.set(3, to: nil)  // cancelled
        var order: [Int32] = []
        while let s = heap.popDue(now: 45) { order.append(s) }
        XCTAssertEqual(order, [2, 1])
        XCTAssertEqual(heap.first?.slot, 0)
        XCTAssertNil(heap.popDue(now: 49))
    }

    func testManyRandomDeadlinesPopSorted() {
        var heap = TimerHeap()
        var expected: [Int32: Int64] = [:]
        var x: UInt64 = 12345
        for round in 0..<5000 {
            x = x &* 6364136223846793005 &+ 1442695040888963407
            let slot = Int32(x % 500)
            let deadline = Int64((x >> 20) % 100_000)
            if round % 7 == 0 { heap.set(slot, to: nil); expected[slot] = nil } else { heap.set(slot, to: deadline); expected[slot] = deadline }
        }
        var last: Int64 = -1
        var seen = 0
        while let top = heap.first {
            XCTAssertGreaterThanOrEqual(top.deadline, last)
            XCTAssertEqual(expected[top.slot], top.deadline)
            last = top.deadline
            _ = heap.popDue(now: .max)
            seen += 1
        }
        XCTAssertEqual(seen, expected.count)
    }
}
