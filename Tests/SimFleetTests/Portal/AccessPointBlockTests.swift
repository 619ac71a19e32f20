import DeviceCore
import Foundation
import XCTest
@testable import SimFleet

/// The access points' address block is the plan's (from the seed), and a run moves off a block
/// another process serves without changing the plan's devices.
final class AccessPointBlockTests: XCTestCase {
    private func plan(seed: UInt64) throws -> FleetConfiguration {
        let yaml = "name: ap\nduration: 1m\nseed: " + String(seed) + "\nfleet:\n  - count: 4\n    provisioned: false\n"
        return try ScenarioFleet.configuration(ScenarioLoader.parse(bytes: Array(yaml.utf8), file: "ap.yaml"))
    }

    func testTwoPlansOfOneSeedGiveTheirAccessPointsTheSameAddresses() throws {
        let a = try plan(seed: 77), b = try plan(seed: 77)
        let ea = try XCTUnwrap(a.accessPoints), eb = try XCTUnwrap(b.accessPoints)
        XCTAssertEqual(ea.block, eb.block)
        XCTAssertEqual(ea.block, AccessPointExposure.block(seed: 77))
        XCTAssertEqual((0..<4).map { ea.address(forDevice: $0) }, (0..<4).map { eb.address(forDevice: $0) })
        XCTAssertEqual(ea.address(forDevice: 0)?.text, "127.177.0.1")
        XCTAssertTrue(ea.blockFromSeed)
        XCTAssertNotEqual(try plan(seed: 78).accessPoints?.block, ea.block, "another seed, another block")
    }

    func testADeviceHTTPBlockIsKeptAndNeverMoved() throws {
        let yaml = "name: ap\nduration: 1m\ndevice_http: {pool: 127.42.0.0/16}\nfleet:\n  - count: 2\n    provisioned: false\n"
        let c = try ScenarioFleet.configuration(ScenarioLoader.parse(bytes: Array(yaml.utf8), file: "ap.yaml"))
        XCTAssertEqual(c.accessPoints?.block, 42)
        XCTAssertEqual(c.accessPoints?.blockFromSeed, false)
    }

    func testARunMovesOffABlockWhoseProbeAddressAnotherProcessServes() throws {
        var exposure = try XCTUnwrap(plan(seed: 5).accessPoints)
        // A real listener where this run's device 1 would serve its portal, on a port of its own.
        let taken = try XCTUnwrap(exposure.address(forDevice: 1))
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        XCTAssertEqual(inet_pton(AF_INET, taken.text, &sin.sin_addr), 1)
        XCTAssertEqual(withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }, 0)
        XCTAssertEqual(listen(listener, 1), 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &sin) {
            _ = $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        exposure.httpPort = Int(UInt16(bigEndian: sin.sin_port))

        XCTAssertFalse(AccessPointExposure.nothingListens(taken, exposure.httpPort))
        let (free, moved) = exposure.onAFreeBlock(probing: 1)
        XCTAssertTrue(moved)
        XCTAssertEqual(free.block, exposure.block + 1)
        XCTAssertEqual(free.address(forDevice: 1)?.text, "127." + String(exposure.block + 1) + ".0.2")
        let (same, stayed) = exposure.onAFreeBlock(probing: 0)
        XCTAssertFalse(stayed, "device 0's address is free: the plan's block holds")
        XCTAssertEqual(same.block, exposure.block)
    }

    func testTheSearchWrapsAroundTheDerivedBlocksAndKeepsTheBlockWhenNoneIsFree() throws {
        var exposure = try XCTUnwrap(plan(seed: 149).accessPoints)
        XCTAssertEqual(exposure.block, 249)
        XCTAssertEqual(exposure.onAFreeBlock(probing: 0) { address, _ in address.octets.1 != 249 }.exposure.block, 100)
        let none = exposure.onAFreeBlock(probing: 0) { _, _ in false }
        XCTAssertFalse(none.moved)
        XCTAssertEqual(none.exposure.block, 249)
        exposure.block = 20  // outside the derived blocks: the search starts at their first
        XCTAssertEqual(exposure.onAFreeBlock(probing: 0) { address, _ in address.octets.1 == 101 }.exposure.block, 101)
    }
}
