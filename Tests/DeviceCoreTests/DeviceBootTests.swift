import XCTest
@testable import DeviceCore
import DeviceTestKit

final class DeviceBootTests: XCTestCase {
    let statusTopic = "device/esp32c6-a1b2c3/status"
    let otaTopic = "device/esp32c6-a1b2c3/ota"

    func testDeviceIDAndAccessPointNameDeriveFromTheMAC() {
        let config = DeviceHarness.config()
        XCTAssertEqual(config.deviceID, "esp32c6-a1b2c3")
        XCTAssertEqual(config.accessPointSSID, "iot-ctrlr-A1B2C3")
        XCTAssertEqual(config.macText, "40:4c:ca:a1:b2:c3")
        var s3 = config
        s3.chip = .esp32s3
        XCTAssertEqual(s3.deviceID, "esp32s3-a1b2c3")
        s3.deviceIDOverride = "kitchen-1"
        XCTAssertEqual(Device<InsecureTestCrypto>(config: s3).topics.status, "device/kitchen-1/status")
    }

    func testPowerOnWithStoredCredentialsJoinsTheNetwork() {
        var h = DeviceHarness()
        let actions = h.send(.powerOn(.powerOn, boot: DeviceHarness.boot))
        XCTAssertTrue(actions.contains(.wifiConnect(ssid: "home", password: "hunter22")))
        XCTAssertEqual(actions.mqttConnects, 0, "no broker connection before WiFi is up")
        XCTAssertEqual(h.device.reportedState, .connecting)
        XCTAssertEqual(h.device.nvs.bootCount, 1)
        XCTAssertEqual(h.device.nvs.lastResetReason, .powerOn)
    }

    func testWiFiUpConnectsToTheBrokerWithIdentityAndOfflineWill() {
        var config = DeviceHarness.config()
        config.mqttUsername = "fleet"
        config.mqttPassword = "s3cret"
        config.keepAliveSeconds = 30
        var h = DeviceHarness(config: config)
        h.send(.powerOn(.powerOn, boot: DeviceHarness.boot))
        let actions = h.send(.wifi(.connected(ip: DeviceHarness.stationIP, rssi: -60)))
        let will = MQTTPublish(topic: statusTopic, payload: Array(#"{"state":"offline"}"#.utf8), qos: 1, retain: true)
        XCTAssertEqual(actions.filter { if case .mqttConnect = $0 { return true } else { return false } },
                       [.mqttConnect(MQTTConnectOptions(clientID: "esp32c6-a1b2c3", username: "fleet", password: "s3cret",
                                                        keepAliveSeconds: 30, will: will))])
    }

    func testConnackSubscribesToOTAThenPublishesRetainedOnlineStatus() throws {
        var h = DeviceHarness()
        h.send(.powerOn(.powerOn, boot: DeviceHarness.boot))
        h.send(.wifi(.connected(ip: DeviceHarness.stationIP, rssi: -58)))
        h.advance(by: .milliseconds(1234))
        let actions = h.send(.mqtt(.connected))
        let subscribe = try XCTUnwrap(actions.firstIndex(of: .mqttSubscribe(topic: otaTopic, qos: 1)))
        let status = try XCTUnwrap(actions.firstIndex { if case .mqttPublish = $0 { return true } else { return false } })
        XCTAssertLessThan(subscribe, status, "subscribe before announcing, so no command is missed")
        let publish = actions.publishes[0]
        XCTAssertEqual(publish.topic, statusTopic)
        XCTAssertTrue(publish.retain, "state changes are retained")
        XCTAssertEqual(publish.messageID, 1)
        XCTAssertEqual(publish.text,
                       #"{"id":"esp32c6-a1b2c3","fw":"1.0.0","state":"online","uptime_s":1,"rssi":-58,"#
                       + #""free_heap":\#(h.device.freeHeap),"reset_reason":"poweron","boot_count":1,"seq":1,"#
                       + #""ts":1764396001234.000}"#)
        XCTAssertEqual(h.device.reportedState, .online)
    }

    func testRunningFirmwareVersionComesFromTheBootloader() {
        var h = DeviceHarness()
        h.send(.powerOn(.software, boot: BootInfo(slot: 1, firmwareVersion: "v2025.03.25.155052")))
        h.send(.wifi(.connected(ip: DeviceHarness.stationIP, rssi: -58)))
        let status = h.send(.mqtt(.connected)).publishes[0].json()
        XCTAssertEqual(status["fw"]?.stringValue, "v2025.03.25.155052")
        XCTAssertEqual(status["reset_reason"]?.stringValue, "sw")
    }

    func testBootCountAndResetReasonSurviveRebootsButRAMDoesNot() {
        var h = DeviceHarness()
        h.bootOnline()
        h.run(for: .seconds(95))
        XCTAssertEqual(h.request(.post, "/reboot")?.status, 200)
        let restart = h.run(for: .seconds(1))
        XCTAssertTrue(restart.containsReboot(.software))
        XCTAssertTrue(h.device.mode.isOff)
        XCTAssertNil(h.device.nextDeadline, "an off device wants no ticks")

        h.advance(by: .seconds(2))
        let actions = h.bootOnline(reason: .software)
        let status = actions.publishes(on: statusTopic)[0].json()
        XCTAssertEqual(status["boot_count"]?.int64Value, 2)
        XCTAssertEqual(status["reset_reason"]?.stringValue, "sw")
        XCTAssertEqual(status["seq"]?.int64Value, 1, "seq restarts with each power cycle")
        XCTAssertEqual(status["uptime_s"]?.int64Value, 0, "uptime restarts with each power cycle")
        XCTAssertEqual(h.device.nvs.wifiCredentials, DeviceHarness.homeWiFi)
    }

    func testEventsWhileOffAreIgnoredWithALogLine() {
        var h = DeviceHarness()
        for event: Event in [.tick, .wifi(.connected(ip: DeviceHarness.stationIP, rssi: -50)), .mqtt(.connected),
                             .mqtt(.message(topic: otaTopic, payload: [])), .dnsQuery(id: 1, [0]),
                             .download(.finished), .wifi(.scanDone([])),
                             .httpRequest(id: 3, HTTPRequest(method: .get, path: "/info"))] {
            let actions = h.send(event)
            XCTAssertTrue(actions.allSatisfy { if case .log = $0 { return true } else { return false } },
                          "only log lines from an off device")
        }
        XCTAssertEqual(h.device.counters.ignoredEvents, 7, "a tick while off is not an event to complain about")
        XCTAssertTrue(h.device.mode.isOff)
    }

    func testAResetWhileRunningStartsAFreshPowerCycle() {
        var h = DeviceHarness()
        h.bootOnline()
        h.request(.get, "/scan", id: 3)
        h.advance(by: .seconds(40))
        let actions = h.send(.powerOn(.taskWatchdog, boot: DeviceHarness.boot))
        XCTAssertTrue(actions.contains(.wifiConnect(ssid: "home", password: "hunter22")))
        XCTAssertTrue(actions.publishes.isEmpty, "the old session died with the reset")
        XCTAssertEqual(h.device.nvs.bootCount, 2)
        XCTAssertEqual(h.device.nvs.lastResetReason, .taskWatchdog)
        XCTAssertEqual(h.device.uptime(at: h.now), .zero)
        XCTAssertEqual(h.device.reportedState, .connecting)
        XCTAssertNil(h.send(.wifi(.scanDone([]))).response(to: 3), "requests from before the reset are gone")
    }

    func testEveryResetReasonIsReportedByItsESPIDFName() {
        let reasons: [ResetReason] = [.powerOn, .external, .software, .panic, .interruptWatchdog, .taskWatchdog,
                                      .otherWatchdog, .deepSleep, .brownout, .sdio, .unknown]
        var names: [String] = []
        for reason in reasons {
            var h = DeviceHarness()
            names.append(h.bootOnline(reason: reason).publishes[0].json()["reset_reason"]?.stringValue ?? "?")
        }
        XCTAssertEqual(names, ["poweron", "ext", "sw", "panic", "int_wdt", "task_wdt", "wdt", "deepsleep", "brownout",
                               "sdio", "unknown"])
    }
}
