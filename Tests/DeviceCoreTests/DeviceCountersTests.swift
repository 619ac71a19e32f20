import XCTest
@testable import DeviceCore

/// Report counters are stored in 32 bits but read and written as `Int`.
final class DeviceCountersTests: XCTestCase {
    func testCountersReadAsIntAndCompareByValue() {
        var a = DeviceCounters()
        var b = DeviceCounters()
        a.mqttConnects += 3
        a.otaRollbacks = 7
        XCTAssertEqual(a.mqttConnects, 3)
        XCTAssertEqual(a.otaRollbacks, 7)
        XCTAssertNotEqual(a, b)
        b.mqttConnects = 3
        b.otaRollbacks = 7
        XCTAssertEqual(a, b)
    }

    func testCounterWrapsToZeroPastUInt32MaxInsteadOfTrapping() {
        var c = DeviceCounters()
        c.statusPublishes = Int(UInt32.max)
        XCTAssertEqual(c.statusPublishes, 4_294_967_295)
        c.statusPublishes += 1
        XCTAssertEqual(c.statusPublishes, 0)
        c.countRefusal("download")
        XCTAssertEqual(c.otaRefusals, 1)
        XCTAssertEqual(c.otaRefusalKinds, [KindCount(kind: "download", count: 1)])
    }

    func testCountersTakeHalfTheBytesOfInts() {
        XCTAssertLessThanOrEqual(MemoryLayout<DeviceCounters>.size, 23 * 4 + 2 * 8 + 8)
    }
}
