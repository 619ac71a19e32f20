import XCTest
import DeviceCore
@testable import SimFleet

final class LoopbackAddressPoolTests: XCTestCase {
    func testAddressesComeFromTheBlockSkippingZeroAndBroadcastOctets() {
        var pool = LoopbackAddressPool(block: 20)
        XCTAssertEqual(pool.allocate(), IPv4Address(127, 20, 0, 1))
        for _ in 0..<252 { _ = pool.allocate() }
        XCTAssertEqual(pool.allocate(), IPv4Address(127, 20, 0, 254))
        XCTAssertEqual(pool.allocate(), IPv4Address(127, 20, 1, 1))
    }

    func testReleasedAddressesAreReusedAndForeignOnesIgnored() {
        var pool = LoopbackAddressPool(block: 21)
        let a = pool.allocate()!
        _ = pool.allocate()
        pool.release(IPv4Address(127, 0, 0, 1))
        pool.release(a)
        XCTAssertEqual(pool.allocate(), a)
        XCTAssertEqual(pool.allocate(), IPv4Address(127, 21, 0, 3))
    }

    func testPoolEndsAfterTheBlock() {
        var pool = LoopbackAddressPool(block: 22)
        for _ in 0..<LoopbackAddressPool.capacity { XCTAssertNotNil(pool.allocate()) }
        XCTAssertNil(pool.allocate())
    }

    func testCIDRTextParses() {
        XCTAssertEqual(LoopbackAddressPool(cidr: "127.30.0.0/16")?.block, 30)
        XCTAssertEqual(LoopbackAddressPool(cidr: "127.31")?.block, 31)
        XCTAssertNil(LoopbackAddressPool(cidr: "10.0.0.0/16"))
        XCTAssertNil(LoopbackAddressPool(cidr: "127.0.0.0/16"))
        XCTAssertNil(LoopbackAddressPool(cidr: "127.20.1.0/16"))
    }
}
