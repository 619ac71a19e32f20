import XCTest
@testable import DeviceCore

/// The MQTT session sub-machine in the common shape: a session that begins or ends is its notice,
/// an event illegal in its state its typed refusal.
final class MQTTSessionTests: XCTestCase {
    let t0 = Instant(milliseconds: 1_000)

    let options = MQTTConnectOptions(clientID: "dev", username: nil, password: nil, keepAliveSeconds: 60, will: nil)

    let timing = LinkTiming(backoff: Backoff(base: .seconds(1), cap: .seconds(30)), connectTimeout: .seconds(10))

    func session() -> MQTTSession { MQTTSession() }

    func testACONNACKStartsASessionAndALostConnectionEndsIt() {
        var mqtt = session()
        var counters = DeviceCounters()
        var random = SeededRandom(seed: 1)
        let connect = mqtt.networkUp(at: t0, timing: timing, options: { options }, counters: &counters)
        XCTAssertEqual(connect.actions, [.mqttConnect(options)], "the owner's options, built for this attempt")
        XCTAssertNil(connect.notice, "connecting is not yet a session")
        let started = mqtt.handle(.connected, at: t0, timing: timing, random: &random, counters: &counters)
        XCTAssertEqual(started.notice, .started)
        XCTAssertNil(started.refusal)
        let ended = mqtt.handle(.disconnected, at: t0 + .seconds(5), timing: timing, random: &random, counters: &counters)
        XCTAssertEqual(ended.notice, .ended)
        XCTAssertEqual(counters.mqttConnectionsLost, 1)
    }

    func testAFailedConnectIsNeitherASessionNorARefusal() {
        var mqtt = session()
        var counters = DeviceCounters()
        var random = SeededRandom(seed: 1)
        _ = mqtt.networkUp(at: t0, timing: timing, options: { options }, counters: &counters)
        let failed = mqtt.handle(.connectFailed(code: 5), at: t0, timing: timing, random: &random, counters: &counters)
        XCTAssertNil(failed.notice)
        XCTAssertNil(failed.refusal)
        XCTAssertEqual(counters.mqttRefused, 1)
    }

    func testACONNACKNobodyWaitedForIsRefusedAndChangesNothing() {
        var mqtt = session()
        var counters = DeviceCounters()
        var random = SeededRandom(seed: 1)
        let before = mqtt
        let out = mqtt.handle(.connected, at: t0, timing: timing, random: &random, counters: &counters)
        XCTAssertEqual(out.refusal, .unexpectedEvent)
        XCTAssertNil(out.notice)
        XCTAssertEqual(out.actions, [])
        XCTAssertEqual(mqtt, before)
        XCTAssertEqual(counters.mqttConnects, 0)
    }

    func testLosingTheNetworkEndsASessionButNotAConnectAttempt() {
        var mqtt = session()
        var counters = DeviceCounters()
        var random = SeededRandom(seed: 1)
        _ = mqtt.networkUp(at: t0, timing: timing, options: { options }, counters: &counters)
        var actions: [Action] = [.log(.info, "before")]
        let attempt = mqtt.networkDown(continuing: MQTTSession.Output(continuing: &actions))
        XCTAssertEqual(attempt.actions, [.log(.info, "before"), .mqttDisconnect], "continues the owner's actions")
        XCTAssertNil(attempt.notice)
        _ = mqtt.networkUp(at: t0, timing: timing, options: { options }, counters: &counters)
        _ = mqtt.handle(.connected, at: t0, timing: timing, random: &random, counters: &counters)
        XCTAssertEqual(mqtt.networkDown().notice, .ended)
    }
}
