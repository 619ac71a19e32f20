import XCTest
@testable import DeviceCore
import DeviceTestKit

/// Every state paired with the events that make no sense in it: each is ignored with exactly one
/// log line, counted, and leaves the state and the timers as they were.
final class IllegalEventTests: XCTestCase {
    static let ip = DeviceHarness.stationIP
    static let ota = "device/esp32c6-a1b2c3/ota"

    /// Named ways to put a device into each state.
    static let states: [(String, @Sendable (inout DeviceHarness) -> Void)] = [
        ("joining WiFi", { h in h.send(.powerOn(.powerOn, boot: DeviceHarness.boot)) }),
        ("WiFi backing off", { h in
            h.send(.powerOn(.powerOn, boot: DeviceHarness.boot))
            h.send(.wifi(.connectFailed(.noAPFound)))
        }),
        ("connecting to broker", { h in
            h.send(.powerOn(.powerOn, boot: DeviceHarness.boot))
            h.send(.wifi(.connected(ip: ip, rssi: -50)))
        }),
        ("broker backing off", { h in
            h.send(.powerOn(.powerOn, boot: DeviceHarness.boot))
            h.send(.wifi(.connected(ip: ip, rssi: -50)))
            h.send(.mqtt(.connectFailed(code: -1)))
        }),
        ("online", { h in h.bootOnline() }),
        ("rebooting", { h in
            h.bootOnline()
            h.send(.httpRequest(id: 1, HTTPRequest(method: .post, path: "/reboot", headers: [DeviceHarness.json])))
        }),
        ("provisioning", { h in
            h.device = DeviceHarness.TestDevice(config: DeviceHarness.config(wifi: nil))
            h.send(.powerOn(.powerOn, boot: DeviceHarness.boot))
            h.send(.wifi(.scanDone([])))  // the portal's own scan; a second result is unasked for
        }),
    ]

    static let illegal: [String: [Event]] = [
        "joining WiFi": [.mqtt(.connected), .mqtt(.connectFailed(code: 5)), .mqtt(.disconnected),
                         .mqtt(.message(topic: ota, payload: [])), .wifi(.scanDone([])),
                         .download(.finished), .dnsQuery(id: 1, [0])],
        "WiFi backing off": [.wifi(.connected(ip: ip, rssi: -40)), .wifi(.connectFailed(.authFailed)),
                             .wifi(.disconnected(.connectionLost)), .mqtt(.connected), .mqtt(.disconnected)],
        "connecting to broker": [.wifi(.connectFailed(.noAPFound)), .mqtt(.message(topic: ota, payload: [])),
                                 .dnsQuery(id: 1, [0])],
        "broker backing off": [.mqtt(.connected), .mqtt(.connectFailed(code: 5)), .mqtt(.disconnected),
                               .wifi(.connectFailed(.noAPFound))],
        "online": [.mqtt(.connected), .mqtt(.connectFailed(code: 5)), .wifi(.connectFailed(.authFailed)),
                   .wifi(.scanDone([])), .download(.data([1, 2, 3])), .dnsQuery(id: 1, [0])],
        "rebooting": [.mqtt(.connected), .wifi(.connectFailed(.authFailed)), .download(.failed(.timedOut))],
        "provisioning": [.wifi(.connected(ip: ip, rssi: -40)), .wifi(.connectFailed(.noAPFound)),
                         .wifi(.disconnected(.beaconTimeout)), .wifi(.scanDone([])), .mqtt(.connected),
                         .mqtt(.connectFailed(code: 5)), .mqtt(.disconnected), .mqtt(.message(topic: ota, payload: [])),
                         .mqtt(.published(messageID: 1)), .mqtt(.subscribeRefused(topic: ota)), .download(.finished)],
    ]

    func testIllegalEventsAreIgnoredWithOneLogLineAndNoChange() {
        XCTAssertEqual(Set(Self.illegal.keys), Set(Self.states.map(\.0)), "every state has its table row")
        for (name, setUp) in Self.states {
            for event in Self.illegal[name] ?? [] {
                var h = DeviceHarness()
                setUp(&h)
                let state = h.device.reportedState
                let deadline = h.device.nextDeadline
                let ignoredBefore = h.device.counters.ignoredEvents
                let actions = h.send(event)
                XCTAssertEqual(actions.count, 1, "\(name): \(event)")
                XCTAssertTrue(actions.logLines.first?.hasPrefix("ignored ") ?? false, "\(name): \(event) → \(actions)")
                XCTAssertEqual(h.device.counters.ignoredEvents, ignoredBefore + 1, "\(name): \(event)")
                XCTAssertEqual(h.device.reportedState, state, "\(name): \(event)")
                XCTAssertEqual(h.device.nextDeadline, deadline, "\(name): \(event)")
            }
        }
    }

    func testDNSQueriesAreAnsweredOnlyInProvisioning() {
        var h = DeviceHarness(config: DeviceHarness.config(wifi: nil))
        h.send(.powerOn(.powerOn, boot: DeviceHarness.boot))
        XCTAssertEqual(h.send(.dnsQuery(id: 5, [0, 1])), [.dnsRespond(id: 5, nil)],
                       "a datagram without a readable header is dropped explicitly")
    }

    func testRepeatedWiFiConnectedRefreshesAddressAndSignal() {
        var h = DeviceHarness()
        h.bootOnline(rssi: -70)
        let again = h.send(.wifi(.connected(ip: IPv4Address(10, 0, 0, 9), rssi: -45)))
        XCTAssertTrue(again.isEmpty)
        XCTAssertEqual(h.request(.get, "/info")?.json?["ip"]?.stringValue, "10.0.0.9")
        XCTAssertEqual(h.device.reportedState, .online)
    }

    func testBrokerAcksAreAcceptedSilently() {
        var h = DeviceHarness()
        h.bootOnline()
        XCTAssertTrue(h.send(.mqtt(.published(messageID: 1))).isEmpty)
        XCTAssertEqual(h.device.counters.ignoredEvents, 0)
    }

    func testRefusedSubscriptionIsReportedAsAnError() {
        var h = DeviceHarness()
        h.bootOnline()
        XCTAssertEqual(h.send(.mqtt(.subscribeRefused(topic: Self.ota))),
                       [.log(.error, "broker refused subscription to " + Self.ota + ": OTA commands will not arrive")])
    }
}

final class LogStreamingTests: XCTestCase {
    let logsTopic = "device/esp32c6-a1b2c3/logs"
    let otaTopic = "device/esp32c6-a1b2c3/ota"

    func streaming(_ on: Bool) -> DeviceHarness {
        var config = DeviceHarness.config()
        config.streamLogsToMQTT = on
        return DeviceHarness(config: config)
    }

    func testEachLogLineIsPublishedRightAfterItWhileConnected() {
        var h = streaming(true)
        h.bootOnline()
        h.advance(by: .milliseconds(2500))
        let streamedBefore = h.device.counters.logLinesStreamed
        let actions = h.send(.mqtt(.message(topic: otaTopic, payload: Array("{".utf8))))
        XCTAssertEqual(actions, [
            .log(.warning, "OTA command rejected: malformed JSON: unexpected end of JSON"),
            .mqttPublish(MQTTPublish(topic: logsTopic,
                                     payload: Array("W (2500) OTA command rejected: malformed JSON: unexpected end of JSON".utf8),
                                     qos: 0, retain: false)),
        ])
        XCTAssertEqual(h.device.counters.logLinesStreamed, streamedBefore + 1)
    }

    func testLogLinesAreNotStreamedWithoutASession() {
        var h = streaming(true)
        let boot = h.send(.powerOn(.powerOn, boot: DeviceHarness.boot))
        XCTAssertFalse(boot.logLines.isEmpty)
        XCTAssertTrue(boot.publishes.isEmpty)
        let lost = h.bootOnline() + h.send(.mqtt(.disconnected))
        XCTAssertTrue(lost.publishes(on: logsTopic).allSatisfy { !String(decoding: $0.payload, as: UTF8.self).contains("lost") },
                      "the line about losing the session cannot travel over it")
    }

    func testStreamingOffPublishesNoLogs() {
        var h = streaming(false)
        let actions = h.bootOnline() + h.send(.mqtt(.message(topic: otaTopic, payload: [])))
        XCTAssertTrue(actions.publishes(on: logsTopic).isEmpty)
    }

    func testStreamedLinesDoNotThemselvesProduceLogLines() {
        var h = streaming(true)
        let actions = h.bootOnline() + h.run(for: .seconds(120))
        let lines = actions.publishes(on: logsTopic)
        XCTAssertFalse(lines.isEmpty)
        let connectedAt = actions.firstIndex(of: .log(.info, "MQTT connected")) ?? 0
        XCTAssertEqual(lines.count, Array(actions[connectedAt...]).logLines.count, "one publish per line, no more")
    }
}
