import DeviceCore
import Foundation
import Glibc
import XCTest
@testable import SimFleet

/// MQTT 5 through libmosquitto's v5 support, and QoS 2 heartbeats: reason codes by name in the
/// report's errors, message expiry on status messages, and delivery accounting that stays exact.
final class MQTT5Tests: XCTestCase {
    func testAnMQTT5FleetDeliversEveryQoS2Heartbeat() throws {
        var c = FleetConfiguration(devices: 5, heartbeatMs: 300, qos: 2, rampPerSecond: 100, seed: 4, durationSeconds: 3,
                                   reactors: 1, drainSeconds: 5)
        c.mqtt.version = .v5
        let runner = FleetRunner(configuration: c)
        try runner.start()
        let report = runner.runToCompletion()
        XCTAssertEqual(report.connected, 5)
        XCTAssertGreaterThan(report.sent, 30)
        XCTAssertEqual(report.received, report.sent)
        XCTAssertEqual(report.lost, 0)
        XCTAssertEqual(report.unacknowledged, 0, "every QoS 2 heartbeat completed with PUBCOMP")
        XCTAssertTrue(report.json().contains("\"version\": \"5\""))
    }

    func testQoS2HeartbeatsReachSubscribersAtQoS2() throws {
        var c = FleetConfiguration(devices: 2, heartbeatMs: 300, qos: 2, rampPerSecond: 100, seed: 4, durationSeconds: 60,
                                   reactors: 1, drainSeconds: 2)
        c.idTemplate = "q2-{n}"
        let runner = FleetRunner(configuration: c)
        try runner.start()
        defer { runner.requestStop(); _ = runner.finish() }
        let broker = try XCTUnwrap(runner.broker)
        let port = broker.ports[0]
        let sub = Process()
        let out = Pipe()
        sub.executableURL = URL(fileURLWithPath: "/usr/bin/mosquitto_sub")
        sub.arguments = ["-h", "127.0.0.1", "-p", String(port), "-t", "device/+/status", "-q", "2", "-F", "%q %t",
                         "-u", broker.watcherUser, "-P", broker.watcherPassword, "-C", "6", "-W", "20"]
        sub.standardOutput = out
        try sub.run()
        sub.waitUntilExit()
        let lines = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
        XCTAssertEqual(lines.count, 6)
        for line in lines { XCTAssertTrue(line.hasPrefix("2 device/q2-"), String(line)) }
    }

    func testQoS2AccountingStaysExactAcrossABrokerRestart() throws {
        let c = FleetConfiguration(devices: 10, heartbeatMs: 200, qos: 2, rampPerSecond: 200, seed: 9, durationSeconds: 600,
                                   reactors: 2, drainSeconds: 8)
        let runner = FleetRunner(configuration: c)
        try runner.start()
        awaitCondition("all online", timeout: 20) { runner.snapshot().online == 10 }
        Thread.sleep(forTimeInterval: 2)
        let before = runner.snapshot()
        try runner.restartBroker(downForSeconds: 1)
        awaitCondition("every device reconnected", timeout: 60) { let s = runner.snapshot(); return s.online == 10 && s.reconnects >= 10 }
        Thread.sleep(forTimeInterval: 3)
        runner.requestStop()
        let s = runner.snapshot()
        let report = runner.finish()

        XCTAssertGreaterThan(before.acknowledged, 50)
        XCTAssertGreaterThan(s.sent, before.sent, "heartbeats went on after the restart")
        // Every heartbeat is in exactly one bucket: received by the observer, acknowledged but lost
        // in the restart (named by device and seq), or never acknowledged.
        let acknowledged = report.sent - report.unacknowledged
        XCTAssertGreaterThanOrEqual(report.received, acknowledged - report.lost)
        XCTAssertLessThanOrEqual(report.received, report.sent, "a resent QoS 2 heartbeat is counted once")
        XCTAssertEqual(report.lostDetail.count, min(report.lost, 100))
        // Only what was between the broker and the observer when the broker went down can be lost.
        XCTAssertLessThanOrEqual(report.lost, 2 * 10)
        XCTAssertLessThanOrEqual(report.unacknowledged, 10, "resent after the restart and acknowledged then")
        XCTAssertGreaterThanOrEqual(report.delivery, 0.95)
    }

    func testQoS2TelemetryIsAcknowledgedOnPUBCOMPAndReceivedExactlyOnce() throws {
        let s = try parseScenario("""
            name: telemetry-qos2
            duration: 60s
            mqtt: {version: 5}
            fleet:
              - count: 4
                id: "t2-{n}"
                heartbeat: 1s
                telemetry:
                  - name: meter
                    topic: "device/{id}/meter"
                    every: 150ms
                    qos: 2
                    payload: '{"seq":{seq},"ts":{ts},"kwh":{walk:20:0.1}}'
            """)
        var c = try ScenarioFleet.configuration(s)
        c.durationSeconds = 2.5
        c.drainSeconds = 5
        let runner = FleetRunner(configuration: c)
        try runner.start()
        let port = try XCTUnwrap(runner.broker?.ports.first)
        let report = runner.runToCompletion()
        _ = port

        let meter = try XCTUnwrap(report.telemetry.first)
        XCTAssertGreaterThanOrEqual(meter.sent, 4 * 10, "four devices, six messages a second")
        XCTAssertEqual(meter.acknowledged, meter.sent, "every QoS 2 message completed with PUBCOMP")
        XCTAssertEqual(meter.received, meter.sent, "and reached the observer once")
        XCTAssertEqual(meter.duplicates, 0)
        XCTAssertEqual(meter.lost, 0)
    }

    func testARefusedMQTT5ConnectIsReportedByItsReasonName() throws {
        let passwd = NSTemporaryDirectory() + "simfleet-mqtt5-\(getpid())-\(UUID().uuidString).passwd"
        try "simfleet-observer:watch\n".write(toFile: passwd, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: passwd) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/mosquitto_passwd")
        p.arguments = ["-U", passwd]
        try p.run()
        p.waitUntilExit()
        let broker = try TestBroker(extra: ["password_file \(passwd)"], anonymous: false)
        var c = FleetConfiguration(devices: 2, heartbeatMs: 500, rampPerSecond: 100, durationSeconds: 60, reactors: 1, drainSeconds: 1)
        c.broker = BrokerChoice.parse(broker.url)!
        c.observerUsername = "simfleet-observer"
        c.observerPassword = "watch"
        c.usernameTemplate = "{id}"
        c.passwordTemplate = "wrong"
        c.mqtt.version = .v5
        let runner = FleetRunner(configuration: c)
        try runner.start()
        awaitCondition("refusals counted", timeout: 20) { runner.snapshot().errors["connect_refused", default: 0] >= 2 }
        runner.requestStop()
        let report = runner.finish()
        let named = report.errors.filter { MQTTReasonCode.allNames.contains($0.key) && $0.value > 0 }
        XCTAssertEqual(Set(named.keys), ["not_authorized"], "\(report.errors)")
        XCTAssertEqual(named["not_authorized"], report.errors["connect_refused"])
        XCTAssertEqual(report.failures.first?.returnCode, 0x87)
        XCTAssertTrue(report.json().contains("\"not_authorized\": "))
    }

    func testAHeartbeatTheBrokerRefusesIsCountedByReasonAndNeverAsLost() throws {
        // Devices may read their command topic but not write their status: mosquitto answers each
        // QoS 1 heartbeat with PUBACK 0x87 (not authorized) under MQTT 5.
        let acl = NSTemporaryDirectory() + "simfleet-acl-\(getpid())-\(UUID().uuidString)"
        try "user simfleet-observer\ntopic read device/+/status\n\npattern read device/%c/ota\n"
            .write(toFile: acl, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: acl) }
        let broker = try TestBroker(extra: ["acl_file \(acl)"])
        var c = FleetConfiguration(devices: 2, heartbeatMs: 300, rampPerSecond: 100, durationSeconds: 3, reactors: 1, drainSeconds: 2)
        c.broker = BrokerChoice.parse(broker.url)!
        c.observerUsername = "simfleet-observer"
        c.mqtt.version = .v5
        let runner = FleetRunner(configuration: c)
        try runner.start()
        let report = runner.runToCompletion()
        XCTAssertGreaterThan(report.sent, 10)
        XCTAssertEqual(report.errors["publish_refused"], report.sent)
        XCTAssertEqual(report.errors["not_authorized"], report.sent)
        XCTAssertEqual(report.received, 0)
        XCTAssertEqual(report.lost, 0, "refused, not acknowledged: nothing to lose")
        XCTAssertEqual(report.unacknowledged, report.sent)
    }

    func testStatusMessagesCarryTheConfiguredMessageExpiry() throws {
        var c = FleetConfiguration(devices: 1, heartbeatMs: 300, rampPerSecond: 100, durationSeconds: 60, reactors: 1, drainSeconds: 1)
        c.idTemplate = "exp-{n}"
        c.mqtt = MQTTOptions(version: .v5, messageExpirySeconds: 45)
        let runner = FleetRunner(configuration: c)
        try runner.start()
        defer { runner.requestStop(); _ = runner.finish() }
        let broker = try XCTUnwrap(runner.broker)
        let port = broker.ports[0]
        let sub = Process()
        let out = Pipe()
        sub.executableURL = URL(fileURLWithPath: "/usr/bin/mosquitto_sub")
        sub.arguments = ["-h", "127.0.0.1", "-p", String(port), "-V", "5", "-t", "device/exp-1/status", "-q", "1", "-F", "%E",
                         "-u", broker.watcherUser, "-P", broker.watcherPassword, "-C", "3", "-W", "20"]
        sub.standardOutput = out
        try sub.run()
        sub.waitUntilExit()
        let lines = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
        XCTAssertEqual(lines.count, 3)
        for line in lines {
            let left = Int(line.trimmingCharacters(in: .whitespaces)) ?? -1
            XCTAssertTrue((40...45).contains(left), "message expiry interval left: \(line)")
        }
    }

    func testReasonCodeNamesComeFromLibmosquitto() {
        XCTAssertEqual(MQTTReasonCode.name(0x87), "not_authorized")
        XCTAssertEqual(MQTTReasonCode.name(0x97), "quota_exceeded")
        XCTAssertEqual(MQTTReasonCode.name(0x89), "server_busy")
        XCTAssertEqual(MQTTReasonCode.name(0x86), "bad_user_name_or_password", "the MQTT 5 spec's words")
        XCTAssertNil(MQTTReasonCode.name(0x10), "success codes are not errors")
        XCTAssertEqual(MQTTReasonCode.fromConnack(5), 0x87)
        XCTAssertFalse(MQTTReasonCode.allNames.contains("connect_refused"))
    }
}
