import DeviceCore
import DeviceTestKit
import XCTest

final class SimulationTests: XCTestCase {
    func testJobsDueAtTheSameInstantRunInTheOrderTheyWereScheduled() {
        let sim = Simulation(seed: 1)
        var order: [Int] = []
        sim.schedule(after: .seconds(2)) { order.append(3) }
        sim.schedule(after: .seconds(1)) { order.append(1) }
        sim.schedule(after: .seconds(1)) { order.append(2) }
        sim.advanceTime(by: .seconds(1))
        XCTAssertEqual(order, [1, 2])
        XCTAssertEqual(sim.now, Simulation.epoch + .seconds(1))
        sim.advanceTime(by: .seconds(5))
        XCTAssertEqual(order, [1, 2, 3])
    }
}

final class SimulationOrderTests: XCTestCase {
    func testACancelledJobNeverRuns() {
        let sim = Simulation()
        var ran = false
        let ticket = sim.schedule(after: .seconds(1)) { ran = true }
        sim.cancel(ticket)
        sim.advanceTime(by: .seconds(2))
        XCTAssertFalse(ran)
    }

    func testRandomStreamsDependOnTheSeedAndThePurposeOnly() {
        var a = Simulation(seed: 7).random("network")
        var b = Simulation(seed: 7).random("network")
        var c = Simulation(seed: 7).random("origin")
        var d = Simulation(seed: 8).random("network")
        let first = a.next()
        XCTAssertEqual(first, b.next())
        XCTAssertNotEqual(first, c.next())
        XCTAssertNotEqual(first, d.next())
    }

    func testRunUntilStopsAtTheLimitWhenTheConditionNeverHolds() {
        let sim = Simulation()
        var count = 0
        func again() { count += 1; sim.schedule(after: .seconds(1)) { again() } }
        again()
        XCTAssertFalse(sim.run(until: { count > 100 }, limit: .seconds(10)))
        XCTAssertEqual(count, 11)
        XCTAssertEqual(sim.now, Simulation.epoch + .seconds(10))
        XCTAssertTrue(sim.run(until: { count >= 15 }, limit: .seconds(10)))
    }

    func testDeadlineHeapOrdersByDeadlineThenSlotAndMovesEntries() {
        var heap = DeadlineHeap()
        let t = Simulation.epoch
        heap.set(3, to: t + .seconds(5))
        heap.set(1, to: t + .seconds(5))
        heap.set(2, to: t + .seconds(9))
        XCTAssertEqual(heap.first?.slot, 1)
        heap.set(1, to: t + .seconds(10))
        XCTAssertEqual(heap.first?.slot, 3)
        heap.set(3, to: nil)
        XCTAssertEqual(heap.first?.slot, 2)
        XCTAssertEqual(heap.count, 2)
        XCTAssertEqual(heap.deadline(of: 1), t + .seconds(10))
        XCTAssertNil(heap.deadline(of: 3))
    }

    func testDeadlineHeapPopsInTheOrderOfASortedListAcrossRandomMoves() {
        var heap = DeadlineHeap()
        var expected: [Int: Instant] = [:]
        var random = SeededRandom(seed: 42)
        let t = Simulation.epoch
        for step in 0..<20_000 {
            let slot = Int(random.next(upTo: 300))
            if random.next(upTo: 10) == 0 {
                heap.set(slot, to: nil)
                expected[slot] = nil
            } else {
                let at = t + .milliseconds(Int64(random.next(upTo: 50)))  // many ties: the slot decides
                heap.set(slot, to: at)
                expected[slot] = at
            }
            let first = expected.min { ($0.value, $0.key) < ($1.value, $1.key) }
            XCTAssertEqual(heap.first?.slot, first?.key, "step \(step)")
            XCTAssertEqual(heap.first?.deadline, first?.value, "step \(step)")
            XCTAssertEqual(heap.count, expected.count)
        }
        // Drained by clearing the earliest slot each time: the rest in (deadline, slot) order.
        var popped: [Int] = []
        while let (_, slot) = heap.first {
            popped.append(slot)
            heap.set(slot, to: nil)
        }
        XCTAssertEqual(popped, expected.sorted { ($0.value, $0.key) < ($1.value, $1.key) }.map(\.key))
    }
}
