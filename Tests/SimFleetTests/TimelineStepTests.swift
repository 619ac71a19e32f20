import DeviceCore
import XCTest
@testable import SimFleet

final class TimelineStepTests: XCTestCase {
    func steps(_ timeline: String) throws -> [TimelineStep] {
        try parseScenario(minimalScenario("timeline:\n" + timeline)).timeline
    }

    func action(_ step: String) throws -> StepAction {
        try steps("  - " + step)[0].action
    }

    func testRampWaitHoldAndClearFaultsParse() throws {
        XCTAssertEqual(try action("ramp_up: main"), .rampUp(group: "main", perSecond: nil))
        XCTAssertEqual(try action("ramp_up: all"), .rampUp(group: nil, perSecond: nil))
        XCTAssertEqual(try action("ramp_up: {group: main, rate: 50/s}"), .rampUp(group: "main", perSecond: 50))
        XCTAssertEqual(try action("wait: 30s"), .wait(.seconds(30)))
        XCTAssertEqual(try action("hold: 1m"), .hold(.seconds(60)))
        XCTAssertEqual(try action("clear_faults: true"), .clearFaults)
    }

    func testTriggersAtAfterAndSequential() throws {
        let s = try steps("""
          - at: 10s
            wait: 1s
          - after: all_online
            timeout: 20s
            hold: 5s
          - after: 'fleet.version["1.2.0"] >= 10%'
            wait: 1s
          - wait: 2s
        """)
        XCTAssertEqual(s[0].trigger, .at(.seconds(10)))
        guard case .after(let online, let timeout) = s[1].trigger else { return XCTFail("expected after") }
        XCTAssertEqual(online.text, "all_online")
        XCTAssertEqual(timeout, .seconds(20))
        guard case .after(let version, let defaultTimeout) = s[2].trigger else { return XCTFail("expected after") }
        XCTAssertEqual(version.text, #"fleet.version["1.2.0"] >= 10%"#)
        XCTAssertEqual(defaultTimeout, .seconds(60), "default timeout is 5m, capped at the run's duration")
        XCTAssertEqual(s[3].trigger, .afterPrevious)
        XCTAssertEqual(s[1].position, SourcePosition(file: "t.yaml", line: 11, column: 5))
    }

    func testRolloutByShareSelectorAndVia() throws {
        XCTAssertEqual(try action("rollout: {version: 1.2.0, cohort: 10%, via: manifest, group: main, from_version: 1.0.0}"),
                       .rollout(Rollout(version: "1.2.0", cohort: .share(0.1),
                                        selector: DeviceSelector(groups: ["main"], version: "1.0.0"), via: .manifest)))
        XCTAssertEqual(try action("rollout: {version: 1.2.0, cohort: 3}"),
                       .rollout(Rollout(version: "1.2.0", cohort: .count(3), selector: .everyone, via: .mqtt)))
    }

    func testRolloutOfAVersionTheOriginDoesNotServeIsAnError() {
        let e = scenarioError(minimalScenario("timeline:\n  - rollout: {version: 9.9.9}"))
        XCTAssertEqual(e?.key, "version")
        XCTAssertEqual(e?.position.line, 9)
        XCTAssertTrue(e?.message.contains("is not in 'firmware'") ?? false)
    }

    func testFirmwareFaultKinds() throws {
        XCTAssertEqual(try action("firmware_fault: {kind: corrupt, downloads: 5%, version: 1.2.0}"),
                       .firmwareFault(FirmwareFault(kind: .corrupt, downloads: 0.05, version: "1.2.0")))
        XCTAssertEqual(try action("firmware_fault: {kind: truncate, at: 30%}"),
                       .firmwareFault(FirmwareFault(kind: .truncate(fraction: 0.3), downloads: 1, version: nil)))
        XCTAssertEqual(try action("firmware_fault: {kind: slow, rate: 50KB/s, downloads: 50%}"),
                       .firmwareFault(FirmwareFault(kind: .slow(bytesPerSecond: 51200), downloads: 0.5, version: nil)))
        XCTAssertEqual(try action("firmware_fault: {kind: drop}"),
                       .firmwareFault(FirmwareFault(kind: .drop(fraction: 0.5), downloads: 1, version: nil)))
    }

    func testFaultKeysThatDoNotApplyToTheKindAreRejected() {
        let e = scenarioError(minimalScenario("timeline:\n  - firmware_fault: {kind: corrupt, rate: 5KB/s}"))
        XCTAssertEqual(e?.key, "rate")
        XCTAssertEqual(e?.message, "unknown key 'rate' in firmware fault step of kind corrupt (expected one of: kind, "
                       + "downloads, version)")
        let kind = scenarioError(minimalScenario("timeline:\n  - device_fault: {kind: meteor}"))
        XCTAssertTrue(kind?.message.contains("must be one of power_cycle, power_loss_during_flash, reset_wifi, wifi_drop") ?? false)
    }

    func testDeviceFaultKinds() throws {
        XCTAssertEqual(try action("device_fault: {kind: power_cycle, devices: 5, off: 3s}"),
                       .deviceFault(DeviceFault(kind: .powerCycle(off: .seconds(3)), devices: .count(5), selector: .everyone)))
        XCTAssertEqual(try action("device_fault: {kind: power_loss_during_flash, devices: 10%}"),
                       .deviceFault(DeviceFault(kind: .powerLossDuringFlashWrite, devices: .share(0.1), selector: .everyone)))
        XCTAssertEqual(try action("device_fault: {kind: wifi_drop, devices: all, duration: 20s, group: main}"),
                       .deviceFault(DeviceFault(kind: .wifiDrop(duration: .seconds(20)), devices: .all,
                                                selector: DeviceSelector(groups: ["main"]))))
        XCTAssertEqual(try action("device_fault: {kind: reset_wifi, reprovision: false}"),
                       .deviceFault(DeviceFault(kind: .resetWiFi(reprovision: false), devices: .count(1), selector: .everyone)))
    }

    func testNetworkFaultKinds() throws {
        XCTAssertEqual(try action("network_fault: {kind: disconnect_storm, devices: 50%, over: 2s}"),
                       .networkFault(NetworkFault(kind: .disconnectStorm(over: .seconds(2)), devices: .share(0.5),
                                                  selector: .everyone, duration: nil)))
        XCTAssertEqual(try action("network_fault: {kind: latency, delay: 200ms, duration: 30s}"),
                       .networkFault(NetworkFault(kind: .toxic(.latency(.milliseconds(200), jitter: .zero)), devices: .all,
                                                  selector: .everyone, duration: .seconds(30))))
        XCTAssertEqual(try action("network_fault: {kind: packet_loss, loss: 5%}"),
                       .networkFault(NetworkFault(kind: .toxic(.packetLoss(0.05)), devices: .all, selector: .everyone, duration: nil)))
        XCTAssertNotNil(scenarioError(minimalScenario("timeline:\n  - network_fault: {kind: packet_loss, loss: 150%}")))
    }

    func testToxiproxyToxicsAsNetworkFaultKinds() throws {
        func toxic(_ yaml: String) throws -> Toxic? {
            guard case .networkFault(let f) = try action(yaml), case .toxic(let t) = f.kind else { return nil }
            return t
        }
        XCTAssertEqual(try toxic("network_fault: {kind: latency, delay: 200ms, jitter: 50ms}"),
                       .latency(.milliseconds(200), jitter: .milliseconds(50)))
        XCTAssertEqual(try toxic("network_fault: {kind: bandwidth, rate: 64KB/s}"), .bandwidth(bytesPerSecond: 65536))
        XCTAssertEqual(try toxic("network_fault: {kind: slow_close, delay: 2s}"), .slowClose(.seconds(2)))
        XCTAssertEqual(try toxic("network_fault: {kind: timeout}"), .timeout(closeAfter: nil), "0: held open forever")
        XCTAssertEqual(try toxic("network_fault: {kind: timeout, timeout: 5s}"), .timeout(closeAfter: .seconds(5)))
        XCTAssertEqual(try toxic("network_fault: {kind: reset_peer, timeout: 1s}"), .resetPeer(after: .seconds(1)))
        XCTAssertEqual(try toxic("network_fault: {kind: limit_data, bytes: 4KB}"), .limitData(bytes: 4096))
        XCTAssertEqual(try toxic("network_fault: {kind: refuse, devices: 10%, duration: 20s}"), .refuse)
        XCTAssertNotNil(scenarioError(minimalScenario("timeline:\n  - network_fault: {kind: latency, delay: 100ms, jitter: 200ms}")),
                        "jitter above the latency")
        XCTAssertNotNil(scenarioError(minimalScenario("timeline:\n  - network_fault: {kind: refuse, rate: 1KB/s}")),
                        "a key of another kind")
    }

    func testBrokerOutageTakesADurationOrDownAndMode() throws {
        XCTAssertEqual(try action("broker_outage: 20s"), .brokerOutage(down: .seconds(20), mode: .refuse))
        XCTAssertEqual(try action("broker_outage: {down: 30s, mode: blackhole}"), .brokerOutage(down: .seconds(30), mode: .blackhole))
        XCTAssertEqual(try action("broker_outage: {mode: reset}"), .brokerOutage(down: .seconds(10), mode: .reset))
        XCTAssertNotNil(scenarioError(minimalScenario("timeline:\n  - broker_outage: {down: 5s, mode: unplug}")))
    }

    func testBrokerRestartProvisionAndACLProbe() throws {
        XCTAssertEqual(try action("broker_restart: 10s"), .brokerRestart(down: .seconds(10)))
        XCTAssertEqual(try action("broker_restart: {down: 3s}"), .brokerRestart(down: .seconds(3)))
        XCTAssertEqual(try action("provision: {devices: 50%}"),
                       .provision(Provision(devices: .share(0.5), selector: .everyone)))
        XCTAssertEqual(try action("acl_probe: {devices: 3, attempts: 2}"), .aclProbe(ACLProbe(devices: .count(3), attempts: 2)))
    }

    func testBrokerRestartNeedsTheEmbeddedBackend() {
        let e = scenarioError("""
        name: t
        duration: 1m
        backend: {broker: mqtt://127.0.0.1:1883}
        fleet: [{count: 1}]
        timeline:
          - broker_restart: 5s
        """)
        XCTAssertEqual(e?.position, SourcePosition(file: "t.yaml", line: 6, column: 21))
        XCTAssertTrue(e?.message.contains("needs the embedded backend") ?? false)
    }

    func testStepWithTwoActionsOrNoneIsAnError() {
        let two = scenarioError(minimalScenario("timeline:\n  - wait: 1s\n    hold: 2s"))
        XCTAssertEqual(two?.key, "hold")
        XCTAssertEqual(two?.position.line, 10)
        let none = scenarioError(minimalScenario("timeline:\n  - at: 1s"))
        XCTAssertTrue(none?.message.hasPrefix("timeline step needs one action") ?? false)
        let both = scenarioError(minimalScenario("timeline:\n  - at: 1s\n    after: all_online\n    wait: 1s"))
        XCTAssertEqual(both?.key, "after")
    }

    func testStepsBeyondTheRunAndBadConditionsAreRejected() {
        let late = scenarioError(minimalScenario("timeline:\n  - at: 2m\n    wait: 1s"))
        XCTAssertTrue(late?.message.contains("between 0s and 1m") ?? false)
        let condition = scenarioError(minimalScenario("timeline:\n  - after: all_onlin\n    wait: 1s"))
        XCTAssertEqual(condition?.position, SourcePosition(file: "t.yaml", line: 9, column: 12))
        XCTAssertTrue(condition?.message.contains("unknown figure 'all_onlin'") ?? false, condition?.message ?? "")
        let operatorless = scenarioError(minimalScenario("timeline:\n  - after: online\n    wait: 1s"))
        XCTAssertEqual(operatorless?.position, SourcePosition(file: "t.yaml", line: 9, column: 18))
        XCTAssertTrue(operatorless?.message.contains("expected a comparison operator") ?? false)
    }

    func testUnknownGroupInSelectorIsAnError() {
        let e = scenarioError(minimalScenario("timeline:\n  - device_fault: {kind: power_cycle, group: edge}"))
        XCTAssertEqual(e?.message, "'group' names no fleet group 'edge' (groups: main)")
    }
}
