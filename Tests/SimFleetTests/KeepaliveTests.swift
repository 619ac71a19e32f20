import DeviceCore
import Foundation
import Glibc
import XCTest
@testable import SimFleet

/// MQTT keepalive on devices whose heartbeats are rarer than their keepalive: they ping from their
/// own timers (no reactor sweeps the shard), and a broker that stops answering is noticed.
final class KeepaliveTests: XCTestCase {
    /// Heartbeats every 10 minutes, keepalive 6 s: between heartbeats only pings keep a connection.
    private func quietFleet(devices: Int, duration: Double) -> FleetConfiguration {
        var c = FleetConfiguration(devices: devices, heartbeatMs: 600_000, qos: 1, rampPerSecond: 100, seed: 11,
                                   durationSeconds: duration, reactors: 1, drainSeconds: 2)
        c.keepAliveSeconds = 6
        return c
    }

    func testQuietDevicesKeepTheirConnectionsWithPings() throws {
        // Mosquitto drops a client that sends nothing for 1.5 × keepalive (9 s); the run lasts 20 s.
        let runner = FleetRunner(configuration: quietFleet(devices: 3, duration: 20))
        try runner.start()
        awaitCondition("all devices online", timeout: 10) { runner.snapshot().online == 3 }
        let report = runner.runToCompletion()

        XCTAssertEqual(report.connected, 3)
        XCTAssertEqual(report.onlineAtEnd, 3)
        XCTAssertEqual(report.reconnects, 0, "no connection was dropped for silence")
        XCTAssertEqual(report.errors["disconnected"] ?? 0, 0, "\(report.errors)")
    }

    func testDevicesNoticeABrokerThatStopsAnsweringAndComeBackWhenItDoes() throws {
        let runner = FleetRunner(configuration: quietFleet(devices: 2, duration: 120))
        try runner.start()
        defer { runner.requestStop(); _ = runner.finish() }
        awaitCondition("all devices online", timeout: 10) { runner.snapshot().online == 2 }
        let broker = try XCTUnwrap(runner.broker?.processID)

        // Frozen, not dead: the TCP connections stay open, so only an unanswered PINGREQ tells.
        XCTAssertEqual(kill(broker, SIGSTOP), 0)
        var resumed = false
        defer { if !resumed { kill(broker, SIGCONT) } }
        awaitCondition("both devices gave up on the silent broker", timeout: 30) { runner.snapshot().online == 0 }

        XCTAssertEqual(kill(broker, SIGCONT), 0)
        resumed = true
        awaitCondition("both devices reconnected", timeout: 60) {
            let s = runner.snapshot()
            return s.online == 2 && s.reconnects >= 2
        }
    }
}
