import DeviceCore
import Foundation
import XCTest
@testable import SimFleet

/// `broker_outage` against an external mosquitto started by the test: the broker itself never
/// stops; the fleet's path to it refuses, goes dark or resets, and the devices live through it.
final class BrokerOutageTests: XCTestCase {
    private func fleet(_ broker: TestBroker, devices: Int, keepAlive: Int = 60) -> FleetConfiguration {
        var c = FleetConfiguration(devices: devices, heartbeatMs: 500, qos: 1, rampPerSecond: 200, seed: 3,
                                   durationSeconds: 600, reactors: 2, drainSeconds: 3)
        c.broker = BrokerChoice.parse(broker.url)!
        c.proxiedDevices = .all
        c.keepAliveSeconds = keepAlive
        return c
    }

    func testARefusingOutageDropsEveryDeviceKeepsThemOutAndLetsThemBack() throws {
        let broker = try TestBroker()
        let runner = FleetRunner(configuration: fleet(broker, devices: 6))
        try runner.start()
        defer { runner.requestStop() }
        awaitCondition("all online", timeout: 20) { runner.snapshot().online == 6 }
        try runner.beginBrokerOutage(.refuse)
        awaitCondition("every device lost its session", timeout: 10) { runner.snapshot().online == 0 }
        awaitCondition("reconnect attempts refused", timeout: 20) { (runner.proxyStats()?.refused ?? 0) >= 6 }
        XCTAssertEqual(runner.snapshot().online, 0, "nobody gets through while it lasts")
        runner.endBrokerOutage()
        awaitCondition("every device back", timeout: 90) { runner.snapshot().online == 6 }
        let report = runner.finish()
        XCTAssertEqual(report.reconnects, 6)
        XCTAssertEqual(report.lost, 0)
        XCTAssertGreaterThan(report.proxy?.connections ?? 0, 6)
        XCTAssertEqual(report.proxiedDevices, 6)
        // The session ledger: a first connect pairs with no loss and is not kept; each loss and the
        // session after it are.
        let entries = runner.linkLedgers().flatMap(\.entries)
        let byDevice = Dictionary(grouping: entries, by: \.device)
        XCTAssertEqual(byDevice.count, 6)
        for (device, list) in byDevice {
            XCTAssertEqual(list.map(\.up), list.indices.map { $0 % 2 == 1 }, "device \(device): loss, session, loss…")
            XCTAssertGreaterThanOrEqual(list.count, 2, "device \(device): the outage and the session after it")
        }
    }

    func testABlackholeOutageIsNoticedByKeepaliveAndTheDevicesComeBack() throws {
        let broker = try TestBroker()
        let runner = FleetRunner(configuration: fleet(broker, devices: 3, keepAlive: 5))
        try runner.start()
        defer { runner.requestStop() }
        awaitCondition("all online", timeout: 20) { runner.snapshot().online == 3 }
        let started = Date()
        try runner.beginBrokerOutage(.blackhole)
        // libmosquitto pings after one keepalive without a packet in and gives up after another.
        awaitCondition("keepalive noticed the silence", timeout: 30) { runner.snapshot().online == 0 }
        let noticed = Date().timeIntervalSince(started)
        XCTAssertGreaterThanOrEqual(noticed, 4, "nothing told them: only the keepalive could")
        XCTAssertEqual(runner.proxyStats()?.resets, 0)
        runner.endBrokerOutage()
        awaitCondition("every device back", timeout: 90) { runner.snapshot().online == 3 }
        let report = runner.finish()
        XCTAssertGreaterThanOrEqual(report.errors["disconnected"] ?? 0, 3)
        XCTAssertEqual(report.lost, 0, "heartbeats held in the dark are delivered or counted unacknowledged, never lost")
    }

    func testAResetOutageResetsEveryConnectionAtOnce() throws {
        let broker = try TestBroker()
        let runner = FleetRunner(configuration: fleet(broker, devices: 4))
        try runner.start()
        defer { runner.requestStop() }
        awaitCondition("all online", timeout: 20) { runner.snapshot().online == 4 }
        try runner.beginBrokerOutage(.reset)
        awaitCondition("reset seen as a disconnect", timeout: 5) { runner.snapshot().errors["disconnected", default: 0] >= 4 }
        runner.endBrokerOutage()
        awaitCondition("every device back", timeout: 90) { runner.snapshot().online == 4 }
        let report = runner.finish()
        XCTAssertGreaterThanOrEqual(report.proxy?.resets ?? 0, 4)
    }

    func testAScenarioOutageOnAnExternalBrokerReportsWhatTheDevicesLivedThrough() throws {
        let broker = try TestBroker()
        let run = try ScenarioStepRun("""
        name: link-outage-test
        seed: 2
        duration: 90s
        backend:
          broker: \(broker.url)
        fleet:
          - {count: 8, heartbeat: 500ms}
        timeline:
          - after: all_online
            timeout: 20s
            hold: 2s
          - name: outage
            broker_outage: {down: 3s, mode: refuse}
          - after: all_online
            timeout: 60s
            hold: 2s
        """)
        awaitCondition("the timeline ran", timeout: 80) { run.driver.phases.count == 3 }
        let report = run.finish()
        XCTAssertTrue(run.driver.failures.isEmpty, "\(run.driver.failures)")
        let outage = try XCTUnwrap(report.faults.first)
        XCTAssertEqual(outage.window.kind, "broker_outage")
        XCTAssertEqual(outage.window.mode, "refuse")
        XCTAssertEqual(outage.window.devices.count, 8)
        XCTAssertEqual(outage.disconnected, 8)
        XCTAssertEqual(outage.reconnected, 8)
        let allBack = try XCTUnwrap(outage.allOnlineSeconds)
        XCTAssertEqual(allBack, outage.reconnectSeconds.last)
        XCTAssertLessThan(allBack, 60)
        // Only what was already past the proxy when the links closed: at most one heartbeat a device.
        XCTAssertLessThanOrEqual(try XCTUnwrap(outage.window.receivedAtEnd) - outage.window.receivedAtStart, 8,
                                 "the broker received nothing from a fleet that could not reach it")
        let json = try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as! [String: Any]
        let faults = try XCTUnwrap(json["faults"] as? [String: Any])
        let entry = try XCTUnwrap(faults["outage"] as? [String: Any])
        XCTAssertEqual(entry["disconnected"] as? Int, 8)
        XCTAssertNotNil(entry["reconnect_s"] as? [String: Any])
        XCTAssertEqual(report.lost, 0)
    }
}
