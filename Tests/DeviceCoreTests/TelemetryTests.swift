import XCTest
@testable import DeviceCore
import DeviceTestKit

final class TelemetryTests: XCTestCase {
    static let topic = "tenants/acme/esp32c6-a1b2c3/telemetry"

    func template(_ parts: [TelemetryPart]) -> TelemetryTemplate {
        do { return try TelemetryTemplate(parts: parts) } catch {
            XCTFail("template refused: \(error)")
            return try! TelemetryTemplate(parts: [])
        }
    }

    func text(_ s: String) -> TelemetryPart { .text(Array(s.utf8)) }

    func config(_ streams: [TelemetryStream], seed: UInt64 = 42) -> DeviceConfig {
        var c = DeviceHarness.config(seed: seed)
        c.heartbeatInterval = .seconds(60)
        c.telemetry = streams
        return c
    }

    func stream(every: TimeSpan = .seconds(1), qos: Int = 0, retain: Bool = false, tag: Int = 7,
                _ parts: [TelemetryPart]) -> TelemetryStream {
        TelemetryStream(topic: "tenants/acme/{id}/telemetry", interval: every, qos: qos, retain: retain,
                        payload: template(parts), tag: tag)
    }

    func testStreamPublishesEveryIntervalOnItsTopicWithSeqTsAndTag() {
        let s = stream(every: .milliseconds(500), qos: 1, retain: true,
                       [text(#"{"seq":"#), .seq, text(#","ts":"#), .timestamp, text(#","up":"#), .uptime, text("}")])
        var h = DeviceHarness(config: config([s]))
        h.bootOnline()
        let start = h.now
        var messages: [MQTTPublish] = []
        var times: [Instant] = []
        for _ in 0..<4 {
            messages += h.tickAtDeadline()?.publishes(on: TelemetryTests.topic) ?? []
            times.append(h.now)
        }
        XCTAssertEqual(times, (1...4).map { start + .milliseconds(500 * Int64($0)) })
        XCTAssertEqual(messages.map(\.messageID), [1, 2, 3, 4])
        XCTAssertEqual(messages.map(\.telemetryStream), [7, 7, 7, 7])
        XCTAssertTrue(messages.allSatisfy { $0.qos == 1 && $0.retain })
        XCTAssertEqual(messages[1].text, #"{"seq":2,"ts":1764396001000.000,"up":1}"#)
        XCTAssertEqual(h.device.telemetryPublished, [4])
    }

    func testNothingIsPublishedWithoutABrokerSessionAndTheScheduleRestartsOnReconnect() {
        var h = DeviceHarness(config: config([stream([.seq])]))
        h.send(.powerOn(.powerOn, boot: DeviceHarness.boot))
        h.send(.wifi(.connected(ip: DeviceHarness.stationIP, rssi: -50)))
        XCTAssertTrue(h.run(for: .seconds(5)).publishes(on: TelemetryTests.topic).isEmpty, "no CONNACK yet")
        h.send(.mqtt(.connected))
        XCTAssertEqual(h.run(for: .seconds(3)).publishes(on: TelemetryTests.topic).map(\.text), ["1", "2", "3"])
        h.send(.mqtt(.disconnected))
        XCTAssertTrue(h.run(for: .milliseconds(2500)).publishes(on: TelemetryTests.topic).isEmpty, "session down")
        h.advance(by: .milliseconds(300))
        h.send(.mqtt(.connected))
        let reconnectedAt = h.now
        XCTAssertEqual(h.device.nextDeadline.map { $0 <= reconnectedAt + .seconds(1) }, true)
        XCTAssertEqual(h.run(for: .seconds(2)).publishes(on: TelemetryTests.topic).map(\.text), ["4", "5"],
                       "seq goes on; the first message comes one interval after CONNACK")
    }

    func testSeqSurvivesARebootButTheScheduleWaitsForTheNextSession() {
        var h = DeviceHarness(config: config([stream([.seq])]))
        h.bootOnline()
        XCTAssertEqual(h.run(for: .seconds(2)).publishes(on: TelemetryTests.topic).count, 2)
        XCTAssertEqual(h.request(.post, "/restart")?.status, 200)
        let rebootActions = h.tickAtDeadline() ?? []
        XCTAssertTrue(rebootActions.containsReboot(.software))
        XCTAssertNil(h.device.nextDeadline, "off: no telemetry deadline")
        h.bootOnline(reason: .software)
        XCTAssertEqual(h.run(for: .seconds(1)).publishes(on: TelemetryTests.topic).map(\.text), ["3"])
    }

    func testLateTickSendsOneMessageNotABurst() {
        var h = DeviceHarness(config: config([stream([.seq])]))
        h.bootOnline()
        h.advance(by: .milliseconds(5500))
        XCTAssertEqual(h.send(.tick).publishes(on: TelemetryTests.topic).map(\.text), ["1"])
        XCTAssertEqual(h.device.nextDeadline, h.now + .seconds(1))
    }

    func testGeneratorsStayInRangeAndFormatTheirDecimals() {
        let s = stream([.integer(lower: -3, upper: 3), text(" "), .uniform(lower: 2000, upper: 2500, decimals: 2), text(" "),
                        .gauss(mean: 215, deviation: 3, decimals: 1), text(" "),
                        .walk(start: 20_000, step: 100, decimals: 3, slot: 0), text(" "),
                        .choice([Array("a".utf8), Array("bb".utf8), Array("ccc".utf8)]), text(" "), .deviceID])
        var h = DeviceHarness(config: config([s]))
        h.bootOnline()
        var seen = Set<String>()
        var lastWalk = 20.0
        for message in h.run(for: .seconds(400)).publishes(on: TelemetryTests.topic) {
            let fields = message.text.split(separator: " ").map(String.init)
            XCTAssertEqual(fields.count, 6, message.text)
            XCTAssertTrue((-3...3).contains(Int(fields[0]) ?? 99), fields[0])
            XCTAssertTrue((20...25).contains(Double(fields[1]) ?? 0), fields[1])
            XCTAssertEqual(fields[1].split(separator: ".").last?.count, 2, fields[1])
            XCTAssertEqual(Double(fields[2]) ?? 0, 21.5, accuracy: 1.8, "within 6 sd")
            XCTAssertEqual(fields[2].split(separator: ".").last?.count, 1, fields[2])
            let walk = Double(fields[3]) ?? 0
            XCTAssertEqual(walk, lastWalk, accuracy: 0.1 + 1e-9, "a walk moves by at most one step")
            XCTAssertEqual(fields[3].split(separator: ".").last?.count, 3, fields[3])
            lastWalk = walk
            seen.insert(fields[4])
            XCTAssertEqual(fields[5], "esp32c6-a1b2c3")
        }
        XCTAssertEqual(seen, ["a", "bb", "ccc"], "every choice comes up in 400 draws")
    }

    func testGaussianSamplesHaveTheConfiguredMeanAndDeviation() {
        let s = stream([.gauss(mean: 215_000, deviation: 3_000, decimals: 4)])
        var h = DeviceHarness(config: config([s]))
        h.bootOnline()
        let values = h.run(for: .seconds(4000)).publishes(on: TelemetryTests.topic).compactMap { Double($0.text) }
        XCTAssertEqual(values.count, 4000)
        let mean = values.reduce(0, +) / Double(values.count)
        let sd = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot()
        XCTAssertEqual(mean, 21.5, accuracy: 0.03)
        XCTAssertEqual(sd, 0.3, accuracy: 0.02)
    }

    func testPadFillsThePayloadToTheRequestedLengthAtItsPlace() {
        let s = stream([text(#"{"seq":"#), .seq, text(#","pad":""#), .pad(total: 256), text(#""}"#)])
        var h = DeviceHarness(config: config([s]))
        h.bootOnline()
        let messages = h.run(for: .seconds(12)).publishes(on: TelemetryTests.topic)
        XCTAssertEqual(messages.count, 12)
        for m in messages {
            XCTAssertEqual(m.payload.count, 256)
            XCTAssertNotNil(m.json()["pad"]?.stringValue)
        }
        XCTAssertTrue(messages[11].text.hasPrefix(#"{"seq":12,"pad":"xxx"#))
        XCTAssertTrue(messages[11].text.hasSuffix(#"xxx"}"#))
    }

    func testPadShorterThanTheRestAddsNothing() {
        let s = stream([text("0123456789"), .pad(total: 4)])
        var h = DeviceHarness(config: config([s]))
        h.bootOnline()
        XCTAssertEqual(h.tickAtDeadline()?.publishes(on: TelemetryTests.topic).first?.text, "0123456789")
    }

    func testSameSeedSameValuesAndAnotherSeedOthers() {
        let s = stream([.integer(lower: 0, upper: 1_000_000), text(","), .walk(start: 0, step: 100, decimals: 2, slot: 0)])
        func run(seed: UInt64) -> [String] {
            var h = DeviceHarness(config: config([s], seed: seed))
            h.bootOnline()
            return h.run(for: .seconds(20)).publishes(on: TelemetryTests.topic).map(\.text)
        }
        XCTAssertEqual(run(seed: 1), run(seed: 1))
        XCTAssertNotEqual(run(seed: 1), run(seed: 2))
    }

    func testTelemetryDoesNotChangeTheDevicesOwnRandomness() {
        // Backoff jitter comes from the device's generator; the sensor task has its own.
        func reconnectDelays(telemetry: Bool) -> [Instant] {
            var h = DeviceHarness(config: config(telemetry ? [stream([.integer(lower: 0, upper: 9)])] : []))
            h.bootOnline()
            h.run(for: .seconds(3))
            var attempts: [Instant] = []
            h.send(.mqtt(.disconnected))
            for _ in 0..<4 {
                for _ in 0..<100 {
                    guard let actions = h.tickAtDeadline() else { break }
                    if actions.mqttConnects > 0 { break }
                }
                attempts.append(h.now)
                h.send(.mqtt(.connectFailed(code: -1)))
            }
            return attempts
        }
        let with = reconnectDelays(telemetry: true)
        XCTAssertEqual(zip(with, with.dropFirst()).filter { $0.0 < $0.1 }.count, 3, "four reconnect attempts, one after another")
        XCTAssertEqual(with, reconnectDelays(telemetry: false))
    }

    func testSeveralStreamsKeepTheirOwnIntervalsAndSequences() {
        var a = stream(every: .seconds(1), tag: 0, [text("a"), .seq])
        a.topic = "t/{id}/a"
        var b = stream(every: .seconds(3), tag: 1, [text("b"), .seq])
        b.topic = "t/{id}/b"
        var h = DeviceHarness(config: config([a, b]))
        h.bootOnline()
        let out = h.run(for: .seconds(6)).publishes
        XCTAssertEqual(out.filter { $0.topic == "t/esp32c6-a1b2c3/a" }.map(\.text), ["a1", "a2", "a3", "a4", "a5", "a6"])
        XCTAssertEqual(out.filter { $0.topic == "t/esp32c6-a1b2c3/b" }.map(\.text), ["b1", "b2"])
        XCTAssertEqual(out.filter { $0.telemetryStream == 1 }.count, 2)
    }

    func testWithoutTelemetryTheDeviceOnlyHeartbeats() {
        var h = DeviceHarness(config: config([]))
        h.bootOnline()
        XCTAssertEqual(h.device.nextDeadline, h.now + .seconds(60), "the heartbeat is the only timer")
        XCTAssertTrue(h.run(for: .seconds(120)).publishes.allSatisfy { $0.telemetryStream == nil })
        XCTAssertEqual(h.device.telemetryPublished, [])
    }

    func testMalformedTemplatesAreRefused() {
        XCTAssertThrowsError(try TelemetryTemplate(parts: [.pad(total: 10), .pad(total: 20)])) {
            XCTAssertEqual($0 as? TelemetryTemplateError, .severalPads)
        }
        XCTAssertThrowsError(try TelemetryTemplate(parts: [.integer(lower: 5, upper: 4)]))
        XCTAssertThrowsError(try TelemetryTemplate(parts: [.uniform(lower: 0, upper: 1, decimals: 9)]))
        XCTAssertThrowsError(try TelemetryTemplate(parts: [.walk(start: 0, step: 10, decimals: 1, slot: 1)])) {
            XCTAssertEqual($0 as? TelemetryTemplateError, .walkSlotsOutOfOrder)
        }
        XCTAssertThrowsError(try TelemetryTemplate(parts: [.choice([])]))
        XCTAssertThrowsError(try TelemetryTemplate(parts: [.pad(total: TelemetryTemplate.maxBytes + 1)]))
        XCTAssertThrowsError(try TelemetryTemplate(parts: [.gauss(mean: TelemetryTemplate.maxMagnitude, deviation: 1, decimals: 1)]))
        XCTAssertThrowsError(try TelemetryTemplate(parts: [.walk(start: 0, step: TelemetryTemplate.maxDeviation + 1, decimals: 0, slot: 0)]))
    }

    func testFixedPointFormatting() {
        func fixed(_ v: Int64, _ d: Int) -> String {
            var out: [UInt8] = []
            appendFixed(v, decimals: d, to: &out)
            return String(decoding: out, as: UTF8.self)
        }
        XCTAssertEqual(fixed(2150, 2), "21.50")
        XCTAssertEqual(fixed(0, 2), "0.00")
        XCTAssertEqual(fixed(-1, 2), "-0.01")
        XCTAssertEqual(fixed(-13, 1), "-1.3")
        XCTAssertEqual(fixed(7, 0), "7")
        XCTAssertEqual(fixed(1, 6), "0.000001")
        XCTAssertEqual(fixed(Int64.min, 3), "-9223372036854775.808", "never a trap")
    }

    func testWalkStaysWithinItsRangeAtTheEdge() {
        let edge = TelemetryTemplate.maxMagnitude - 1
        let s = stream([.walk(start: edge, step: TelemetryTemplate.maxDeviation, decimals: 0, slot: 0)])
        var h = DeviceHarness(config: config([s]))
        h.bootOnline()
        for m in h.run(for: .seconds(50)).publishes(on: TelemetryTests.topic) {
            let v = Int64(m.text) ?? 0
            XCTAssertTrue(v < TelemetryTemplate.maxMagnitude && v > -TelemetryTemplate.maxMagnitude, m.text)
        }
    }

    /// The task on its own, as `Device` drives it: a tick reads the device through a context
    /// (topics resolved, id, uptime), continues the owner's action buffer and adds only what is due.
    func testTaskTickContinuesTheOwnersActionsAndPublishesOnlyWhatIsDue() {
        let c = config([stream(every: .seconds(1), tag: 3, [.seq, text("@"), .uptime]),
                        stream(every: .seconds(5), tag: 4, [.seq])])
        let fixed = DeviceFixed(config: c)
        var task = TelemetryTask(streams: c.telemetry, seed: c.randomSeed, deviceID: fixed.deviceID)
        let t0 = Instant(milliseconds: 10_000)
        XCTAssertNil(task.deadline, "nothing is due before the session starts")
        task.sessionStarted(at: t0, streams: c.telemetry)
        XCTAssertEqual(task.deadline, t0 + .seconds(1))

        let early = task.tick(at: t0 + .milliseconds(999), device: TelemetryContext(fixed: fixed, uptimeSeconds: 9))
        XCTAssertTrue(early.actions.isEmpty)
        XCTAssertNil(early.refusal)
        XCTAssertNil(early.notice)

        var owner: [Action] = [.log(.info, "before")]
        let out = task.tick(at: t0 + .seconds(1), device: TelemetryContext(fixed: fixed, uptimeSeconds: 11),
                            continuing: TelemetryTask.Output(continuing: &owner))
        XCTAssertTrue(owner.isEmpty, "the buffer was taken over")
        XCTAssertEqual(out.actions.count, 2)
        XCTAssertEqual(out.actions.first, .log(.info, "before"))
        guard case .mqttPublish(let message)? = out.actions.last else { return XCTFail("no publish") }
        XCTAssertEqual(message.topic, TelemetryTests.topic)
        XCTAssertEqual(message.text, "1@11")
        XCTAssertEqual(message.telemetryStream, 3)
        XCTAssertEqual(task.deadline, t0 + .seconds(2))
        XCTAssertEqual(task.published, [1, 0])
    }
}
