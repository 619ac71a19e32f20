import XCTest
@testable import DeviceCore
import DeviceTestKit

/// The MQTT session and WiFi station, driven through a whole `Device` on a virtual clock.
final class ConnectionTests: XCTestCase {
    /// Boots with WiFi up and then fails every broker connect with `code`; returns the delay
    /// between each failure and the device's next connect attempt.
    func brokerRetryDelays(seed: UInt64, failures: Int, code: Int = -1) -> [TimeSpan] {
        var h = DeviceHarness(config: DeviceHarness.config(seed: seed))
        h.send(.powerOn(.powerOn, boot: DeviceHarness.boot))
        XCTAssertEqual(h.send(.wifi(.connected(ip: DeviceHarness.stationIP, rssi: -50))).mqttConnects, 1)
        var delays: [TimeSpan] = []
        for _ in 0..<failures {
            h.send(.mqtt(.connectFailed(code: code)))
            let failedAt = h.now
            guard let retry = h.tickAtDeadline() else {
                XCTFail("a device that cannot connect must keep a retry deadline")
                break
            }
            XCTAssertEqual(retry.mqttConnects, 1)
            delays.append(h.now - failedAt)
        }
        return delays
    }

    func testBrokerRetriesUseCappedExponentialFullJitter() {
        let delays = brokerRetryDelays(seed: 42, failures: 40)
        let backoff = DeviceHarness.config().backoff
        for (n, delay) in delays.enumerated() {
            XCTAssertGreaterThanOrEqual(delay, .milliseconds(100), "attempt \(n)")
            XCTAssertLessThanOrEqual(delay, backoff.ceiling(afterFailures: n), "attempt \(n)")
            XCTAssertLessThanOrEqual(delay, .seconds(60), "capped")
        }
        XCTAssertGreaterThan(delays[20...].map(\.microseconds).max() ?? 0, TimeSpan.seconds(30).microseconds,
                             "late retries use the capped range, not the base")
    }

    func testSameSeedReplaysTheSameScheduleAndAnotherSeedDoesNot() {
        let a = brokerRetryDelays(seed: 7, failures: 12)
        XCTAssertEqual(a, brokerRetryDelays(seed: 7, failures: 12))
        XCTAssertNotEqual(a, brokerRetryDelays(seed: 8, failures: 12))
    }

    func testUnreachableBrokerIsRetriedForeverWithoutABusyLoop() {
        var h = DeviceHarness(config: DeviceHarness.config(seed: 99))
        h.send(.powerOn(.powerOn, boot: DeviceHarness.boot))
        h.send(.wifi(.connected(ip: DeviceHarness.stationIP, rssi: -50)))
        var shortest = TimeSpan.seconds(1_000_000)
        for _ in 0..<1000 {
            h.send(.mqtt(.connectFailed(code: -1)))
            let deadline = h.device.nextDeadline
            XCTAssertNotNil(deadline)
            shortest = min(shortest, (deadline ?? h.now) - h.now)
            XCTAssertEqual(h.tickAtDeadline()?.mqttConnects, 1)
        }
        XCTAssertGreaterThanOrEqual(shortest, .milliseconds(100))
        XCTAssertEqual(h.device.counters.mqttConnectAttempts, 1001)
        XCTAssertEqual(h.device.counters.mqttConnectFailures, 1000)
        XCTAssertGreaterThan(h.now - DeviceHarness.epoch, .seconds(1000 * 20), "a thousand retries take hours, not a spin")
    }

    func testRefusedCredentialsAreReportedAndRetriedWithBackoff() {
        var h = DeviceHarness()
        h.send(.powerOn(.powerOn, boot: DeviceHarness.boot))
        h.send(.wifi(.connected(ip: DeviceHarness.stationIP, rssi: -50)))
        let refused = h.send(.mqtt(.connectFailed(code: 5)))
        XCTAssertTrue(refused.contains(.log(.error, "MQTT connection refused: not authorised (5)")))
        XCTAssertEqual(refused.mqttConnects, 0, "no immediate retry")
        h.tickAtDeadline()
        h.send(.mqtt(.connectFailed(code: 4)))
        XCTAssertEqual(h.device.counters.mqttRefused, 2)
        XCTAssertGreaterThan(h.device.nextDeadline ?? h.now, h.now)
        XCTAssertEqual(h.tickAtDeadline()?.mqttConnects, 1, "still retrying")
        XCTAssertEqual(h.send(.mqtt(.connectFailed(code: 3))).logLines.first, "MQTT connect failed: server unavailable (3)")
        XCTAssertEqual(h.device.counters.mqttRefused, 2, "server unavailable is not a refusal of credentials")
    }

    func testLostStableSessionBacksOffFromTheBase() {
        var h = DeviceHarness()
        h.send(.powerOn(.powerOn, boot: DeviceHarness.boot))
        h.send(.wifi(.connected(ip: DeviceHarness.stationIP, rssi: -50)))
        for _ in 0..<6 {  // a long outage first: the backoff has grown
            h.send(.mqtt(.connectFailed(code: -1)))
            h.tickAtDeadline()
        }
        h.send(.mqtt(.connected))
        h.run(for: .seconds(45))
        let lost = h.send(.mqtt(.disconnected))
        XCTAssertEqual(lost.mqttConnects, 0)
        let wait = (h.device.nextDeadline ?? h.now) - h.now
        XCTAssertTrue((TimeSpan.milliseconds(100)...TimeSpan.seconds(1)).contains(wait),
                      "a session that held for 45 s starts the backoff afresh")
        XCTAssertEqual(h.tickAtDeadline()?.mqttConnects, 1)
    }

    /// Every device in station mode boxes its WiFi station and MQTT session together (`StationMode`):
    /// 16 bytes of object header and both states must stay within 88 bytes, a 96-byte heap block
    /// (one byte more and each device pays a 112-byte block).
    func testAStationsLinksFitANinetySixByteHeapBlock() {
        XCTAssertEqual(MemoryLayout<MQTTSession.State>.size, 13, "an instant, a 32-bit count and the case")
        let links = MemoryLayout<WiFiStation>.size + MemoryLayout<MQTTSession>.size
        XCTAssertLessThanOrEqual(16 + links, 88)
    }

    func testABrokerThatAcceptsAndDropsAtOnceKeepsTheBackoffGrowing() {
        var h = DeviceHarness()
        h.send(.powerOn(.powerOn, boot: DeviceHarness.boot))
        h.send(.wifi(.connected(ip: DeviceHarness.stationIP, rssi: -50)))
        var ceilings: [TimeSpan] = []
        for n in 0..<8 {
            h.send(.mqtt(.connected))
            h.advance(by: .seconds(1))
            h.send(.mqtt(.disconnected))
            guard case .station(let s) = h.device.mode, case .backingOff(let until, let failures) = s.mqtt.state else {
                return XCTFail("expected a backoff")
            }
            XCTAssertEqual(Int(failures), n + 1)
            XCTAssertLessThanOrEqual(until - h.now, h.device.config.backoff.ceiling(afterFailures: n))
            ceilings.append(h.device.config.backoff.ceiling(afterFailures: n))
            XCTAssertEqual(h.tickAtDeadline()?.mqttConnects, 1)
        }
        XCTAssertEqual(ceilings.last, .seconds(60), "flapping ends up at the cap, not at one retry a second")
    }

    func testConnectWithoutAnyAnswerTimesOutAndBacksOff() {
        var h = DeviceHarness()
        h.send(.powerOn(.powerOn, boot: DeviceHarness.boot))
        h.send(.wifi(.connected(ip: DeviceHarness.stationIP, rssi: -50)))
        XCTAssertEqual(h.device.nextDeadline, h.now + .seconds(10), "esp-mqtt's 10 s network timeout")
        let timedOut = h.tickAtDeadline() ?? []
        XCTAssertTrue(timedOut.contains(.mqttDisconnect), "the half-open attempt is abandoned")
        XCTAssertTrue(timedOut.logLines.contains("MQTT connect timed out"))
        XCTAssertEqual(h.device.counters.mqttConnectFailures, 1)
        XCTAssertEqual(h.tickAtDeadline()?.mqttConnects, 1, "and retried after the backoff")
        XCTAssertEqual(h.send(.mqtt(.connected)).publishes.count, 1)
    }

    func testWiFiLossDropsMQTTAndRejoinsWithBackoff() {
        var h = DeviceHarness()
        h.bootOnline()
        let lost = h.send(.wifi(.disconnected(.beaconTimeout)))
        XCTAssertTrue(lost.contains(.mqttDisconnect))
        XCTAssertEqual(lost.wifiConnects, 0, "no immediate rejoin")
        XCTAssertFalse(h.device.isMQTTConnected)
        XCTAssertEqual(h.device.reportedState, .connecting)
        // Two failed joins, each followed by a backoff, then success brings MQTT back.
        XCTAssertEqual(h.tickAtDeadline()?.wifiConnects, 1)
        h.send(.wifi(.connectFailed(.noAPFound)))
        XCTAssertEqual(h.tickAtDeadline()?.wifiConnects, 1)
        h.send(.wifi(.connectFailed(.authFailed)))
        XCTAssertEqual(h.tickAtDeadline()?.wifiConnects, 1)
        XCTAssertEqual(h.send(.wifi(.connected(ip: DeviceHarness.stationIP, rssi: -70))).mqttConnects, 1)
        XCTAssertEqual(h.send(.mqtt(.connected)).publishes.first?.json()["rssi"]?.int64Value, -70)
        XCTAssertEqual(h.device.counters.wifiConnectFailures, 2)
        XCTAssertEqual(h.device.counters.wifiConnectionsLost, 1)
    }

    func testWiFiLossDuringABrokerBackoffCancelsIt() {
        var h = DeviceHarness()
        h.send(.powerOn(.powerOn, boot: DeviceHarness.boot))
        h.send(.wifi(.connected(ip: DeviceHarness.stationIP, rssi: -50)))
        h.send(.mqtt(.connectFailed(code: -1)))
        let lost = h.send(.wifi(.disconnected(.connectionLost)))
        XCTAssertFalse(lost.contains(.mqttDisconnect), "nothing to disconnect during a backoff")
        let rejoin = h.tickAtDeadline() ?? []
        XCTAssertEqual(rejoin.mqttConnects, 0, "no broker attempt without WiFi")
        XCTAssertEqual(rejoin.wifiConnects, 1)
    }

    func testUnprovisionedDeviceOpensItsAccessPoint() {
        var h = DeviceHarness(config: DeviceHarness.config(wifi: nil))
        let actions = h.send(.powerOn(.powerOn, boot: DeviceHarness.boot))
        XCTAssertTrue(actions.contains(.startAccessPoint(ssid: "iot-ctrlr-A1B2C3", address: .softAPDefault)))
        XCTAssertEqual(actions.wifiConnects, 0)
        XCTAssertEqual(h.device.reportedState, .provisioning)
        XCTAssertNil(h.device.nextDeadline)
    }
}
