import DeviceCore
import Foundation
import XCTest
@testable import SimFleet

/// A real mosquitto (the embedded broker), real sockets, DeviceCore devices on SimFleet reactors.
final class FleetIntegrationTests: XCTestCase {
    private func configuration(devices: Int, heartbeatMs: Int64 = 500, duration: Double = 2) -> FleetConfiguration {
        var c = FleetConfiguration(devices: devices, heartbeatMs: heartbeatMs, qos: 1, rampPerSecond: 200, seed: 7,
                                   durationSeconds: duration, reactors: 2, drainSeconds: 5)
        c.idTemplate = "sim-{n:04}"
        return c
    }

    /// Ctrl-C arrives on a signal queue while the caller's thread samples the run: found by
    /// ThreadSanitizer (scripts/test-sanitized thread) as a data race on the stop flag.
    func testStopRequestedFromAnotherThreadEndsTheRunEarly() throws {
        let runner = FleetRunner(configuration: configuration(devices: 3, duration: 60))
        try runner.start()
        awaitCondition("all devices online", timeout: 10) { runner.snapshot().online == 3 }
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.5) { runner.requestStop() }
        let started = Date()
        let report = runner.runToCompletion()
        XCTAssertLessThan(Date().timeIntervalSince(started), 30, "the run ended on the stop request, not after 60 s")
        XCTAssertEqual(report.connected, 3)
    }

    func testSmallFleetConnectsAndEveryHeartbeatArrivesWithItsPayload() throws {
        let runner = FleetRunner(configuration: configuration(devices: 12))
        try runner.start()
        let sub = try Subscriber(broker: try XCTUnwrap(runner.broker), topic: "device/+/status")
        defer { sub.stop() }
        awaitCondition("all devices online", timeout: 10) { runner.snapshot().online == 12 }
        let report = runner.runToCompletion()

        XCTAssertEqual(report.requested, 12)
        XCTAssertEqual(report.connected, 12)
        XCTAssertGreaterThan(report.sent, 12 * 2)
        XCTAssertEqual(report.received, report.sent, "every heartbeat reached the observer")
        XCTAssertEqual(report.lost, 0)
        XCTAssertEqual(report.e2eLatency.count, report.received)
        XCTAssertGreaterThan(report.connectLatency.count, 0)

        // The subscriber, independent of the observer, sees well-formed heartbeats per device.
        let beats = sub.messages.filter { $0.payload.contains("\"seq\"") }
        XCTAssertFalse(beats.isEmpty)
        var lastSeq: [String: Int64] = [:]
        for (topic, payload) in beats {
            let json = try JSONReader().parse(payload)
            let id = try XCTUnwrap(json["id"]?.stringValue)
            XCTAssertEqual(topic, "device/\(id)/status")
            XCTAssertTrue(id.hasPrefix("sim-"), id)
            XCTAssertEqual(json["fw"]?.stringValue, "1.0.0")
            let seq = try XCTUnwrap(json["seq"]?.int64Value)
            if let previous = lastSeq[id] { XCTAssertGreaterThan(seq, previous, "sequence numbers rise per device") }
            lastSeq[id] = seq
            let ts = try XCTUnwrap(HeartbeatFields(payload: Array(payload.utf8))?.timestampMicros)
            XCTAssertLessThan(abs(ts - HostClock.now().microseconds), 120_000_000, "ts is Unix-epoch milliseconds")
        }
        XCTAssertEqual(Set(lastSeq.keys).count, 12)
    }

    func testLastWillFiresWhenADevicesConnectionIsKilled() throws {
        let runner = FleetRunner(configuration: configuration(devices: 6, duration: 30))
        try runner.start()
        defer { runner.requestStop(); _ = runner.finish() }
        awaitCondition("all devices online", timeout: 10) { runner.snapshot().online == 6 }
        let victim = runner.deviceID(3)
        XCTAssertFalse(runner.observedOffline().contains(victim))

        runner.powerCycle(devices: [3], offFor: .seconds(60))

        awaitCondition("the broker published \(victim)'s last will", timeout: 10) { runner.observedOffline().contains(victim) }
        XCTAssertEqual(runner.observedOffline(), [victim], "only the killed device went offline")
        awaitCondition("five still online", timeout: 5) { runner.snapshot().online == 5 }
    }

    func testBrokerRestartEveryDeviceReconnectsWithJitterAndDeliveryStaysAccounted() throws {
        let n = 16
        let runner = FleetRunner(configuration: configuration(devices: n, heartbeatMs: 300, duration: 60))
        try runner.start()
        awaitCondition("all devices online", timeout: 10) { runner.snapshot().online == n }
        awaitCondition("some heartbeats delivered", timeout: 5) { runner.snapshot().received >= n }
        let before = runner.lastConnectTimes()
        let brokerPID = try XCTUnwrap(runner.broker?.processID)

        try runner.restartBroker(downForSeconds: 0.5)
        XCTAssertNotEqual(runner.broker?.processID, brokerPID, "a new broker process")

        awaitCondition("every device reconnected", timeout: 60) { runner.snapshot().reconnects >= n && runner.snapshot().online == n }
        let after = runner.lastConnectTimes()
        for i in 0..<n { XCTAssertGreaterThan(after[i]!, before[i]!, "device \(i) connected again") }
        let reconnectTimes = (0..<n).map { after[$0]! }.sorted()
        XCTAssertGreaterThan(reconnectTimes.last! - reconnectTimes.first!, 50_000,
                             "reconnects are spread by jittered backoff, not a thundering herd")
        let received = runner.snapshot().received
        awaitCondition("heartbeats flow again", timeout: 10) { runner.snapshot().received > received + n }

        runner.requestStop()
        let report = runner.runToCompletion()
        XCTAssertGreaterThanOrEqual(report.reconnects, n)
        XCTAssertEqual(report.connected, n)
        // Exact accounting: every acknowledged heartbeat is either received or listed as lost.
        let acknowledged = report.sent - report.unacknowledged
        XCTAssertEqual(report.lostDetail.count, min(report.lost, 100))
        XCTAssertGreaterThanOrEqual(report.received + report.lost, acknowledged)
        XCTAssertLessThanOrEqual(report.received, report.sent)
        XCTAssertGreaterThan(report.errors["disconnected", default: 0] + report.errors["connect_failed", default: 0], 0)
    }

    func testRefusedCredentialsAreReportedPerDeviceAndRetried() throws {
        // A broker with accounts for devices 1–3 only; devices 4–5 present passwords it does not know.
        var c = configuration(devices: 5, heartbeatMs: 1000, duration: 60)
        c.usernameTemplate = "{id}"
        c.passwordTemplate = "secret-{n}"
        let accounts = (0..<3).map { i -> (user: String, password: String) in
            let s = c.deviceSpec(i)
            return (s.username!, s.password!)
        }
        let broker = try EmbeddedBroker(passwords: accounts)
        try broker.start()
        defer { broker.stop() }
        c.broker = .external(host: "127.0.0.1", port: broker.ports[0], tls: nil)
        c.observerUsername = broker.observerUser
        c.observerPassword = broker.observerPassword

        let runner = FleetRunner(configuration: c)
        try runner.start()
        awaitCondition("three devices online", timeout: 10) { runner.snapshot().online == 3 }
        awaitCondition("the refused devices retried", timeout: 20) { runner.snapshot().errors["connect_refused", default: 0] >= 4 }
        runner.requestStop()
        let report = runner.runToCompletion()

        XCTAssertEqual(report.connected, 3)
        XCTAssertEqual(report.failed, 2)
        XCTAssertEqual(report.failures.map(\.device), [c.deviceSpec(3).id, c.deviceSpec(4).id])
        for f in report.failures {
            XCTAssertEqual(f.error, "connect_refused")
            XCTAssertEqual(f.returnCode, 5, "CONNACK 5: not authorised")
            XCTAssertGreaterThanOrEqual(f.attempts, 2, "refused devices keep retrying with backoff")
        }
        XCTAssertTrue(report.json().contains("\"failed_detail\""))
        XCTAssertTrue(broker.isRunning, "the external broker is not the runner's to stop")
    }

    func testAskingForMoreDevicesThanTheDescriptorLimitIsRefusedWithTheCeiling() {
        let runner = FleetRunner(configuration: configuration(devices: 1_000_000))
        XCTAssertThrowsError(try runner.start()) { error in
            guard case FleetError.tooManyDevices(let requested, let ceiling, let limit)? = error as? FleetError else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertEqual(requested, 1_000_000)
            XCTAssertGreaterThan(ceiling, 0)
            XCTAssertLessThan(ceiling, limit)
            XCTAssertTrue("\(error)".contains(String(ceiling)))
        }
        XCTAssertNil(runner.broker, "no broker was started for a refused run")
    }

    func testEmbeddedBrokerIsGoneAfterTheRun() throws {
        let runner = FleetRunner(configuration: configuration(devices: 2, duration: 0.5))
        try runner.start()
        let pid = try XCTUnwrap(runner.broker?.processID)
        XCTAssertEqual(kill(pid, 0), 0)
        _ = runner.runToCompletion()
        XCTAssertNotEqual(kill(pid, 0), 0, "the broker process no longer exists")
    }
}
