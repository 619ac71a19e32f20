import DeviceCore
import Glibc
import XCTest
@testable import SimFleet

/// The fault proxy's pure parts: one direction's flow under toxics, the toxics themselves, and
/// source-address keys.
final class ProxyCoreTests: XCTestCase {
    private func hold(_ flow: inout ProxyFlow, _ count: Int, at now: Int64, _ faults: LinkFaults, _ random: inout SeededRandom) -> Int {
        [UInt8](repeating: 7, count: count).withUnsafeBytes { flow.hold($0, now: now, faults: faults, random: &random) }
    }

    func testLatencyHoldsEachChunkAndKeepsTheirOrder() {
        var faults = LinkFaults.none
        faults.apply(.latency(.milliseconds(200), jitter: .milliseconds(150)), at: 0)
        var flow = ProxyFlow()
        var random = SeededRandom(seed: 1)
        var dues: [Int64] = []
        for i in 0..<50 {
            _ = hold(&flow, 10, at: Int64(i) * 1000, faults, &random)
        }
        while let due = flow.nextDue {
            dues.append(due)
            flow.consumed(10)
        }
        XCTAssertEqual(dues, dues.sorted(), "TCP keeps order: no chunk overtakes another")
        XCTAssertGreaterThanOrEqual(dues.first!, 50_000, "at least latency − jitter")
        XCTAssertLessThanOrEqual(dues.last!, 49_000 + 350_000, "at most latency + jitter after the last")

        // Chunks a second apart never wait for each other: each delay is latency ± jitter.
        var spaced = ProxyFlow()
        var delays: [Int64] = []
        for i in 0..<50 {
            let now = Int64(i) * 1_000_000
            _ = hold(&spaced, 10, at: now, faults, &random)
            delays.append(spaced.nextDue! - now)
            spaced.consumed(10)
        }
        XCTAssertTrue(delays.allSatisfy { (50_000...350_000).contains($0) }, "\(delays)")
        XCTAssertGreaterThan(Set(delays).count, 40, "jitter varies the delays")
    }

    func testBandwidthReleasesSlicesAtTheRate() {
        var faults = LinkFaults.none
        faults.apply(.bandwidth(bytesPerSecond: 10_000), at: 0)
        var flow = ProxyFlow()
        var random = SeededRandom(seed: 1)
        _ = hold(&flow, 30_000, at: 0, faults, &random)
        var last: Int64 = 0
        var slices = 0
        while let due = flow.nextDue {
            last = due
            slices += 1
            flow.consumed(1000)
        }
        XCTAssertEqual(slices, 30, "tenth-of-a-second slices")
        XCTAssertEqual(last, 2_900_000, "the last slice leaves when 29 000 bytes went at 10 000 B/s")
    }

    func testPacketLossDelaysByDoublingRetransmissionTimeouts() {
        var faults = LinkFaults.none
        faults.apply(.packetLoss(1), at: 0)
        var flow = ProxyFlow()
        var random = SeededRandom(seed: 3)
        let lost = hold(&flow, 10, at: 0, faults, &random)
        // Every transmission lost: 200 ms, 400 ms, … until the 60 s cap on the timeout.
        XCTAssertEqual(lost, 9)
        XCTAssertEqual(flow.nextDue, (1 << 9) * 200_000 - 200_000)
    }

    func testLimitDataAllowsOnlyTheRemainder() {
        var faults = LinkFaults.none
        faults.apply(.limitData(bytes: 100), at: 0)
        var flow = ProxyFlow()
        XCTAssertEqual(flow.allowance(60, faults: faults), 60)
        flow.passed(60)
        XCTAssertEqual(flow.allowance(60, faults: faults), 40)
        flow.passed(40)
        XCTAssertEqual(flow.allowance(1, faults: faults), 0)
    }

    func testSourceKeysAgreeForIPv4AndV4MappedIPv6() {
        var v4 = sockaddr_storage()
        withUnsafeMutableBytes(of: &v4) { raw in
            var a = ProxySocket.ipv4("127.0.0.7", port: 40_001)!
            withUnsafeBytes(of: &a) { raw.copyMemory(from: $0) }
        }
        var v6 = sockaddr_storage()
        withUnsafeMutableBytes(of: &v6) { raw in
            var a = sockaddr_in6()
            a.sin6_family = sa_family_t(AF_INET6)
            a.sin6_port = UInt16(40_001).bigEndian
            withUnsafeMutableBytes(of: &a.sin6_addr) { $0[10] = 0xFF; $0[11] = 0xFF; $0[12] = 127; $0[15] = 7 }
            withUnsafeBytes(of: &a) { raw.copyMemory(from: $0) }
        }
        XCTAssertEqual(ProxySocket.key(v4), UInt64(0x7F00_0007) << 16 | 40_001)
        XCTAssertEqual(ProxySocket.key(v6), ProxySocket.key(v4))
    }

    func testToxicsOfOneKindReplaceEachOtherAndClearByKind() {
        var faults = LinkFaults.none
        faults.apply(.latency(.milliseconds(100), jitter: .zero), at: 0)
        faults.apply(.latency(.milliseconds(300), jitter: .zero), at: 0)
        faults.apply(.refuse, at: 0)
        XCTAssertEqual(faults.latency?.delay, 300_000)
        faults.clear(.latency)
        XCTAssertNil(faults.latency)
        XCTAssertTrue(faults.refuse)
        faults.clear(.refuse)
        XCTAssertTrue(faults.isEmpty)
    }
}
