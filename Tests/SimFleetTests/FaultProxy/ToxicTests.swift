import DeviceCore
import Foundation
import Glibc
import XCTest
@testable import SimFleet

/// Each toxic on a real connection: a raw MQTT client through the reactor's fault proxy to a real
/// mosquitto, timed on the client's side of the wire.
final class ToxicTests: XCTestCase {
    private var broker: TestBroker!
    private var harness: ProxyHarness!

    override func setUpWithError() throws {
        broker = try TestBroker()
        harness = try ProxyHarness()
    }

    override func tearDown() {
        harness?.stop()
        broker?.stop()
    }

    private func client(device: Int = 0) throws -> RawMQTTClient {
        try RawMQTTClient(through: harness, device: device, brokerPort: broker.port)
    }

    /// Seconds one PINGREQ takes to come back as a PINGRESP.
    private func pingRoundTrip(_ c: RawMQTTClient, timeout: Double = 5) throws -> Double {
        let start = Date()
        try c.pingRequest()
        let reply = try c.readPacket(timeout: timeout)
        XCTAssertEqual(reply.type, 13, "PINGRESP")
        return Date().timeIntervalSince(start)
    }

    func testACleanLinkCarriesMQTTStraightThrough() throws {
        let c = try client()
        XCTAssertEqual(try c.mqttConnect(clientID: "clean"), 0)
        XCTAssertLessThan(try pingRoundTrip(c), 0.1)
        XCTAssertEqual(harness.stats.connections, 1)
    }

    func testLatencyDelaysBytesEachWayByTheConfiguredAmount() throws {
        let c = try client()
        try c.mqttConnect(clientID: "latency")
        harness.apply(.latency(.milliseconds(150), jitter: .zero))
        // Up 150 ms, down 150 ms; the 1 ms tick and a busy machine add a little.
        for _ in 0..<3 {
            let rtt = try pingRoundTrip(c)
            XCTAssertGreaterThanOrEqual(rtt, 0.300, "both directions waited")
            XCTAssertLessThan(rtt, 0.300 + 0.150, "and not much more")
        }
        harness.clear(.latency)
        XCTAssertLessThan(try pingRoundTrip(c), 0.1, "clearing the toxic restores the link")
    }

    func testJitterSpreadsTheDelayAroundTheLatency() throws {
        let c = try client()
        try c.mqttConnect(clientID: "jitter")
        harness.apply(.latency(.milliseconds(100), jitter: .milliseconds(80)))
        var rtts: [Double] = []
        for _ in 0..<8 { rtts.append(try pingRoundTrip(c)) }
        XCTAssertGreaterThanOrEqual(rtts.min()!, 0.040, "each way at least latency − jitter")
        XCTAssertLessThan(rtts.max()!, 0.360 + 0.150, "each way at most latency + jitter")
        XCTAssertGreaterThan(rtts.max()! - rtts.min()!, 0.010, "the delay varies")
    }

    func testBandwidthPacesBytesAtTheRate() throws {
        let c = try client()
        try c.mqttConnect(clientID: "bandwidth")
        try c.subscribe("bw/echo")
        harness.apply(.bandwidth(bytesPerSecond: 8 * 1024))
        let payload = [UInt8](repeating: 0x42, count: 12 * 1024)
        let start = Date()
        try c.publish("bw/echo", payload)
        let echo = try c.readPacket(timeout: 15)
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertEqual(echo.type, 3)
        XCTAssertEqual(echo.body.count, 2 + 7 + payload.count)
        // 12 KB up and 12 KB back down at 8 KB/s: 1.5 s each way.
        XCTAssertGreaterThanOrEqual(elapsed, 2.7)
        XCTAssertLessThan(elapsed, 6)
    }

    func testSlowCloseDelaysTheCloseTheBrokerSees() throws {
        // The broker publishes the will when it sees the connection end.
        let watcher = try RawMQTTClient(port: broker.port)
        try watcher.mqttConnect(clientID: "watcher")
        try watcher.subscribe("will/slow")
        let c = try client()
        try c.mqttConnect(clientID: "slow", will: ("will/slow", "gone"))
        harness.apply(.slowClose(.milliseconds(1500)))
        let closed = Date()
        shutdown(c.fd, Int32(SHUT_RDWR))
        let will = try watcher.readPacket(timeout: 10)
        let elapsed = Date().timeIntervalSince(closed)
        XCTAssertEqual(will.type, 3)
        XCTAssertGreaterThanOrEqual(elapsed, 1.5)
        XCTAssertLessThan(elapsed, 3.5)
    }

    func testTimeoutStopsBytesButKeepsTheConnectionAndReleasesThemAfter() throws {
        let c = try client()
        try c.mqttConnect(clientID: "blackhole")
        harness.apply(.timeout(closeAfter: nil))
        try c.pingRequest()
        XCTAssertThrowsError(try c.readPacket(timeout: 1.5), "nothing comes back through a blackhole") {
            XCTAssertEqual($0 as? RawMQTTClient.Failure, .timeout, "and the connection stays open")
        }
        harness.clear(.timeout)
        XCTAssertEqual(try c.readPacket(timeout: 3).type, 13, "the held PINGREQ reached the broker, its answer comes back")
    }

    func testTimeoutWithADelayClosesTheConnection() throws {
        let c = try client()
        try c.mqttConnect(clientID: "timeout-close")
        let start = Date()
        harness.apply(.timeout(closeAfter: .milliseconds(800)))
        XCTAssertThrowsError(try c.readPacket(timeout: 5)) { XCTAssertEqual($0 as? RawMQTTClient.Failure, .closed) }
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(start), 0.8)
        XCTAssertEqual(harness.stats.closedByFault, 1)
    }

    func testResetPeerResetsTheConnection() throws {
        let c = try client()
        try c.mqttConnect(clientID: "reset")
        harness.apply(.resetPeer(after: .milliseconds(300)))
        XCTAssertThrowsError(try c.readPacket(timeout: 5)) { XCTAssertEqual($0 as? RawMQTTClient.Failure, .reset) }
        XCTAssertEqual(harness.stats.resets, 1)
    }

    func testLimitDataClosesTheConnectionOnceTheBytesWentThrough() throws {
        let watcher = try RawMQTTClient(port: broker.port)
        try watcher.mqttConnect(clientID: "limit-watcher")
        try watcher.subscribe("limit/#")
        let c = try client()
        try c.mqttConnect(clientID: "limit")
        harness.apply(.limitData(bytes: 200))
        try c.publish("limit/a", Array("first".utf8))  // 16 bytes: still under the limit with CONNECT's
        XCTAssertEqual(try watcher.readPacket(timeout: 3).type, 3)
        try c.publish("limit/b", [UInt8](repeating: 1, count: 300))
        XCTAssertThrowsError(try c.readPacket(timeout: 5)) { XCTAssertEqual($0 as? RawMQTTClient.Failure, .closed) }
        XCTAssertThrowsError(try watcher.readPacket(timeout: 1), "the publish past the limit never arrived whole")
    }

    func testRefuseTurnsNewConnectionsAwayAndSparesOpenOnes() throws {
        let open = try client()
        try open.mqttConnect(clientID: "already-open")
        harness.apply(.refuse)
        XCTAssertThrowsError(try client().mqttConnect(clientID: "refused")) {
            XCTAssertEqual($0 as? RawMQTTClient.Failure, .reset, "reset before the broker heard of it")
        }
        XCTAssertLessThan(try pingRoundTrip(open), 0.2, "the open connection still works")
        XCTAssertThrowsError(try client(device: 0).mqttConnect(clientID: "refused-again"))
        XCTAssertEqual(try client(device: 1).mqttConnect(clientID: "other-device"), 0, "only the device the toxic is on")
        harness.clear(.refuse)
        XCTAssertEqual(try client().mqttConnect(clientID: "after-refuse"), 0)
        XCTAssertEqual(harness.stats.refused, 2)
    }

    func testPacketLossDelaysTheLostChunkByTheRetransmissionTimeout() throws {
        let c = try client()
        try c.mqttConnect(clientID: "loss")
        harness.apply(.packetLoss(0.3))
        var rtts: [Double] = []
        // A chunk lost again and again waits 0.2 + 0.4 + … s; the proxy stops doubling before a
        // minute, so no ping can take longer than the timeout (at ½ loss, one in ~13 runs had a chunk
        // lost eight times in a row and waited 51 s).
        for _ in 0..<10 { rtts.append(try pingRoundTrip(c, timeout: 120)) }
        // 20 chunks, each lost with probability 0.3: the chance that none was is below one in a thousand.
        XCTAssertGreaterThan(harness.stats.packetsLost, 0)
        XCTAssertGreaterThanOrEqual(rtts.max()!, 0.2, "a lost chunk waits a retransmission timeout")
        XCTAssertLessThan(rtts.min()!, 0.1, "one that was not lost goes straight on")
    }

    func testAnOutageInResetModeResetsOpenConnectionsAndNewOnes() throws {
        let c = try client()
        try c.mqttConnect(clientID: "outage-reset")
        harness.beginOutage(.reset)
        XCTAssertThrowsError(try c.readPacket(timeout: 3)) { XCTAssertEqual($0 as? RawMQTTClient.Failure, .reset) }
        XCTAssertThrowsError(try client(device: 1).mqttConnect(clientID: "during-outage"))
        harness.endOutage()
        XCTAssertEqual(try client(device: 1).mqttConnect(clientID: "after-outage"), 0)
    }

    func testAnOutageInBlackholeModeLeavesNewConnectionsUnansweredUntilItEnds() throws {
        harness.beginOutage(.blackhole)
        let pending = try client(device: 3)
        try pending.send(RawMQTTClient.packet(0x10, RawMQTTClient.string("MQTT") + [4, 2, 0, 60] + RawMQTTClient.string("in-the-dark")))
        XCTAssertThrowsError(try pending.readPacket(timeout: 1.5), "no CONNACK: the CONNECT went nowhere") {
            XCTAssertEqual($0 as? RawMQTTClient.Failure, .timeout)
        }
        XCTAssertEqual(harness.stats.connections, 0, "the broker never heard of it")
        harness.endOutage()
        let ack = try pending.readPacket(timeout: 3)
        XCTAssertEqual(ack.type, 2, "answered once the outage ended")
        XCTAssertEqual(ack.body, [0, 0])
    }

    func testAConnectionNobodyAnnouncedIsResetAndCounted() throws {
        let stranger = try RawMQTTClient(port: harness.port)
        try? stranger.send(Array("GET / HTTP/1.1\r\n\r\n".utf8))
        XCTAssertThrowsError(try stranger.read(1, timeout: 3))
        awaitCondition("counted", timeout: 3) { self.harness.stats.unexpected == 1 }
        XCTAssertEqual(harness.links, 0)
        XCTAssertEqual(harness.stats.connections, 0)
    }
}
