import DeviceCore
import Dispatch
import Foundation
import XCTest
@testable import SimFleet

final class ShardRendezvousTests: XCTestCase {
    private var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "simfleet-sync-\(UUID().uuidString)"
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: dir)
    }

    func rendezvous(_ i: Int, of n: Int, fingerprint: String = "abc") -> ShardRendezvous {
        let r = ShardRendezvous(directory: dir, slice: FleetSlice(index: i, count: n)!, fingerprint: fingerprint)
        r.startMargin = 0.5
        r.arrivalTimeout = 20
        r.pollInterval = 0.02
        return r
    }

    func testEveryShardStartsAtTheSameInstantAfterTheLastOneArrives() {
        let n = 4
        let starts = NSLock()
        nonisolated(unsafe) var agreed: [Int: Int64] = [:]
        let before = HostClock.now().microseconds
        let parties = (0..<n).map { rendezvous($0, of: n) }
        let group = DispatchGroup()
        for i in 0..<n {
            group.enter()
            Thread.detachNewThread {  // one thread each: they must all wait at once
                usleep(useconds_t(i * 150_000))  // they come up at different times
                let at = try? parties[i].awaitStart()
                starts.withLock { agreed[i] = at }
                group.leave()
            }
        }
        XCTAssertEqual(group.wait(timeout: .now() + 30), .success)
        let values = Set(agreed.values)
        XCTAssertEqual(agreed.count, n)
        XCTAssertEqual(values.count, 1, "one instant for all: \(agreed)")
        let start = values.first!
        XCTAssertGreaterThanOrEqual(start, before + 450_000 + 500_000, "after the last arrival, plus the margin")
    }

    func testAShardOfAnotherScenarioOrCutIsRefused() throws {
        let first = rendezvous(0, of: 2)
        first.arrivalTimeout = 0.2
        XCTAssertThrowsError(try first.awaitStart()) { XCTAssertTrue("\($0)".contains("1 of 2 shards arrived"), "\($0)") }
        XCTAssertThrowsError(try rendezvous(1, of: 2, fingerprint: "other").awaitStart()) {
            guard case .otherRun = $0 as? ShardSyncError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try rendezvous(1, of: 3).awaitStart()) {
            guard case .otherRun = $0 as? ShardSyncError else { return XCTFail("\($0)") }
        }
    }

    func testARestartedShardCannotRejoinItsRun() throws {
        let a = rendezvous(0, of: 1)
        _ = try a.awaitStart()
        XCTAssertThrowsError(try rendezvous(0, of: 1).awaitStart()) {
            guard case .rejoin = $0 as? ShardSyncError else { return XCTFail("\($0)") }
        }
    }

    func testTheFirstDecisionForAStepHoldsForEveryShard() throws {
        let a = rendezvous(0, of: 2), b = rendezvous(1, of: 2)
        _ = try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        XCTAssertNil(a.everyoneReady(step: 3))
        try a.announceReady(step: 3)
        XCTAssertNil(a.everyoneReady(step: 3), "one of two is not everyone")
        try b.announceReady(step: 3)
        XCTAssertNotNil(b.everyoneReady(step: 3))
        XCTAssertNil(a.decision(step: 3))
        let first = a.decide(step: 3, .go(atMicros: 42))
        let second = b.decide(step: 3, .timedOut(by: 1))
        XCTAssertEqual(first, .go(atMicros: 42))
        XCTAssertEqual(second, .go(atMicros: 42), "the later proposal loses")
        XCTAssertEqual(b.decision(step: 3), .go(atMicros: 42))
        XCTAssertThrowsError(try a.announceReady(step: 3), "ready once per step")
    }

    func testConditionsReadTheSumOfEveryShardsLatestFiguresForTheStep() throws {
        let a = rendezvous(0, of: 2), b = rendezvous(1, of: 2)
        _ = try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var s = FleetSnapshot()
        s.requested = 5
        s.online = 5
        a.publishLive(LiveFigures.document(s).json, step: 2)
        XCTAssertNil(a.fleetLive(step: 2), "shard 1 has not said anything yet")
        s.online = 4
        b.publishLive(LiveFigures.document(s).json, step: 1)
        XCTAssertNil(a.fleetLive(step: 2), "figures for an earlier step do not count")
        b.publishLive(LiveFigures.document(s).json, step: 2)
        let sum = try XCTUnwrap(a.fleetLive(step: 2))
        XCTAssertEqual(sum.number(at: ["devices", "online_at_end"]), 9)
        XCTAssertEqual(sum.number(at: ["devices", "requested"]), 10)
    }
}
