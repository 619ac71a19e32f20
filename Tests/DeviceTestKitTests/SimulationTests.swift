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
