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

    /// Counters a fleet's devices rarely move cost one pointer until written (11 link and publish
    /// counters in line, the rest in two arrays), and compare by value however they are stored.
    func testRareCountersCostNothingUntilWrittenAndCompareByValue() {
        XCTAssertLessThanOrEqual(MemoryLayout<DeviceCounters>.size, 11 * 4 + 4 + 2 * 8)
        var a = DeviceCounters()
        a.httpRequests = 5
        a.manifestFailureKinds = [KindCount(kind: "http", count: 1)]
        XCTAssertEqual(a.httpRequests, 5)
        XCTAssertEqual(a.otaRollbacks, 0)
        XCTAssertEqual(a.otaRefusalKinds, [])
        XCTAssertNotEqual(a, DeviceCounters())
        a.httpRequests = 0
        a.manifestFailureKinds = []
        XCTAssertEqual(a, DeviceCounters(), "written back to zero equals never written")
        a.provisioningRefusals = Int(UInt32.max)
        a.provisioningRefusals += 1
        XCTAssertEqual(a.provisioningRefusals, 0, "rare counters wrap like the others")
    }
}
