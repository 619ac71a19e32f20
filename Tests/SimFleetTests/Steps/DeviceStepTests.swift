import DeviceCore
import Foundation
import XCTest
@testable import SimFleet

/// `provision` and `reset_wifi` through small real runs (HTTP to each device's own portal address
/// and its local API), and `network_fault` in virtual time (impairments on the host's side of the
/// wire, the same rule as on sockets).
final class DeviceStepTests: XCTestCase {
    func testProvisionPostsToEachPortalAndResetWiFiProvisionsAgain() throws {
        let run = try ScenarioStepRun("""
        name: portal
        seed: 3
        duration: 60s
        wifi:
          - {ssid: shop-floor, password: line-3-sensors}
        fleet:
          - {name: fresh, count: 3, provisioned: false, heartbeat: 1s}
        timeline:
          - at: 1s
            provision: {devices: all}
          - after: all_online
            timeout: 20s
            device_fault: {kind: reset_wifi, devices: 1, reprovision: true}
          - after: all_online
            timeout: 20s
            wait: 1s
        """)
        XCTAssertEqual(run.runner.snapshot().online, 0, "nobody joins before the portal gets credentials")
        awaitCondition("reset and provisioned again", timeout: 40) { run.driver.provisioning?.saved == 4 }
        awaitCondition("all online again", timeout: 20) { run.runner.snapshot().online == 3 }
        awaitCondition("the closing wait step ran", timeout: 20) { run.driver.phases.contains { $0.step == 3 } }
        let report = run.finish()
        XCTAssertEqual(report.provisioning, { var t = ProvisioningTally(); t.saved = 4; t.wifiResets = 1; t.dnsRedirects = 4; return t }())
        XCTAssertEqual(report.reconnects, 1, "the reset device came back once")
        XCTAssertTrue(run.driver.failures.isEmpty, "\(run.driver.failures)")
    }

    func testWrongPassphraseThroughThePortalLeavesTheDeviceOffline() throws {
        let run = try ScenarioStepRun("""
        name: portal
        duration: 30s
        wifi:
          - {ssid: shop-floor, password: line-3-sensors}
        fleet:
          - {count: 1, provisioned: false, heartbeat: 1s}
        timeline:
          - provision: {password: not-the-password}
        """)
        awaitCondition("the portal took the credentials", timeout: 20) { run.driver.provisioning?.saved == 1 }
        Thread.sleep(forTimeInterval: 4)
        XCTAssertEqual(run.runner.snapshot().everConnected, 0, "the join failed with auth_fail")
        _ = run.finish()
    }

    func testDisconnectStormDropsEveryConnectionAndDevicesReconnect() throws {
        let run = try VirtualStepRun("""
        name: storm
        duration: 30s
        fleet: [{count: 4, heartbeat: 1s}]
        timeline:
          - after: all_online
            network_fault: {kind: disconnect_storm, over: 1s}
          - after: reconnects >= 4
            timeout: 20s
            wait: 1s
        """)
        advance(run.fleet, until: "every device reconnected", limit: .seconds(25)) { run.fleet.snapshot().reconnects >= 4 }
        let report = run.finish()
        XCTAssertEqual(report.stormDisconnects, 4)
        XCTAssertEqual(report.reconnects, 4)
        XCTAssertEqual(report.lost, 0)
    }

    func testLatencyDelaysEveryPublishAndLossIsResentLate() throws {
        let run = try VirtualStepRun("""
        name: slow
        seed: 4
        duration: 30s
        fleet: [{count: 2, heartbeat: 500ms}]
        timeline:
          - after: all_online
            network_fault: {kind: latency, delay: 300ms}
          - network_fault: {kind: packet_loss, loss: 50%, devices: 1}
          - wait: 4s
        """)
        advance(run.fleet, until: "heartbeats under the fault", limit: .seconds(20)) { run.fleet.snapshot().received >= 20 }
        let report = run.finish()
        XCTAssertGreaterThanOrEqual(report.e2eLatency.p50, 300, "every heartbeat waited the added delay")
        XCTAssertGreaterThan(report.packetsLost, 0)
        XCTAssertGreaterThanOrEqual(report.e2eLatency.max, 500, "a lost first transmission waits a retransmission timeout")
        XCTAssertEqual(report.lost, 0, "loss on a TCP link delays, it does not lose")
    }
}
