import XCTest
@testable import SimFleet

/// The QoS 1 heartbeats a host awaits acknowledgements for: one held in line, more spilled.
final class UnacknowledgedHeartbeatsTests: XCTestCase {
    func testEveryAwaitedHeartbeatIsFoundOnceWhateverTheOrderOfAcknowledgements() {
        var awaited = UnacknowledgedHeartbeats()
        XCTAssertNil(awaited.remove(mid: 1))
        for mid in Int32(1)...5 { awaited.insert(mid: mid, key: Int(mid) * 100) }
        XCTAssertEqual(awaited.count, 5)
        XCTAssertEqual(awaited.remove(mid: 3), 300)
        XCTAssertEqual(awaited.remove(mid: 1), 100, "the in-line one")
        XCTAssertNil(awaited.remove(mid: 1), "acknowledged twice")
        awaited.insert(mid: 6, key: 600)  // the in-line slot is free again
        XCTAssertEqual(awaited.count, 4)
        XCTAssertEqual([5, 2, 6, 4].map { awaited.remove(mid: Int32($0)) }, [500, 200, 600, 400])
        XCTAssertEqual(awaited.count, 0)
    }

    func testMessageIDZeroIsNeverMistakenForTheEmptySlot() {
        var awaited = UnacknowledgedHeartbeats()
        XCTAssertNil(awaited.remove(mid: 0))
        awaited.insert(mid: 0, key: 7)
        XCTAssertEqual(awaited.count, 1)
        XCTAssertEqual(awaited.remove(mid: 0), 7)
        XCTAssertEqual(awaited.count, 0)
    }
}
