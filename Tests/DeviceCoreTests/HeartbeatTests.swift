import XCTest
@testable import DeviceCore
import DeviceTestKit

final class HeartbeatTests: XCTestCase {
    let statusTopic = "device/esp32c6-a1b2c3/status"

    func config(interval: TimeSpan = .seconds(10), qos: Int = 0) -> DeviceConfig {
        var c = DeviceHarness.config()
        c.heartbeatInterval = interval
        c.heartbeatQoS = qos
        c.freeHeap = FreeHeapModel(afterBoot: 200_000, variation: 0)
        return c
    }

    func testPeriodicHeartbeatHasExactlyTheContractKeysAndIsNotRetained() {
        var h = DeviceHarness(config: config())
        h.bootOnline(rssi: -61)
        XCTAssertEqual(h.device.nextDeadline, DeviceHarness.epoch + .seconds(10))
        let actions = h.tickAtDeadline() ?? []
        XCTAssertEqual(actions.publishes.count, 1)
        let beat = actions.publishes[0]
        XCTAssertEqual(beat.topic, statusTopic)
        XCTAssertFalse(beat.retain, "periodic heartbeats are not retained")
        XCTAssertEqual(beat.qos, 0)
        XCTAssertEqual(beat.messageID, 2)
        XCTAssertEqual(beat.text,
                       #"{"id":"esp32c6-a1b2c3","fw":"1.0.0","state":"online","uptime_s":10,"rssi":-61,"#
                       + #""free_heap":200000,"reset_reason":"poweron","boot_count":1,"seq":2,"ts":1764396010000.000}"#)
    }

    func testDirectlyWrittenHeartbeatIsByteIdenticalToTheJSONTree() {
        let stamps: [Int64] = [0, 7, 45, 999, 1000, 1_764_396_000_000_123, 1_764_396_000_000_050, -1, -1500, -999_999]
        let otas: [JSONValue?] = [nil, .object([JSONMember("state", .string("download")), JSONMember("pct", .int(42))])]
        for (n, us) in stamps.enumerated() {
            for ota in otas {
                let beat = Heartbeat(id: n % 2 == 0 ? "esp32c6-a1b2c3" : "odd \"id\"\n\u{01}", firmware: "1.2.3-rc.1",
                                     state: n % 3 == 0 ? .updating : .online, uptimeSeconds: Int64(n) * 123_456_789,
                                     rssi: n % 2 == 0 ? -(n + 40) : nil, freeHeap: 241_664 - n, resetReason: .powerOn,
                                     bootCount: n, seq: n == 4 ? Int(Int32.max) : n,
                                     timestamp: Instant(microseconds: us), ota: ota)
                XCTAssertEqual(String(decoding: beat.encodedBytes(), as: UTF8.self), beat.json.encoded())
            }
        }
        XCTAssertEqual(decimal(Int64.min), "-9223372036854775808")
        XCTAssertEqual(decimal(Int64.max), "9223372036854775807")
        XCTAssertEqual(Instant(microseconds: -1500).millisecondsText, "-1.500")
        XCTAssertEqual(Instant(microseconds: 1_000_007).millisecondsText, "1000.007")
    }

    func testDirectlyWrittenNumbersMatchTheJSONTreeAtEveryDigitCount() {
        var numbers: [Int64] = [Int64.min, Int64.min + 1, Int64.max, 0]
        var power: Int64 = 1
        for _ in 0..<19 {  // 1, 10, ..., 10^18, each with its neighbours and negatives
            numbers += [power - 1, power, power + 1, -power, -(power - 1), -(power + 1)]
            if power <= Int64.max / 10 { power *= 10 }
        }
        for n in numbers {
            let beat = Heartbeat(id: "esp32c6-a1b2c3", firmware: "1.0.0", state: .online, uptimeSeconds: n,
                                 rssi: Int(truncatingIfNeeded: n), freeHeap: Int(truncatingIfNeeded: n &* 7), resetReason: .powerOn,
                                 bootCount: Int(truncatingIfNeeded: n / 3), seq: Int(truncatingIfNeeded: n / 7),
                                 timestamp: Instant(microseconds: n))
            XCTAssertEqual(String(decoding: beat.encodedBytes(), as: UTF8.self), beat.json.encoded(), String(n))
        }
    }

    func testHeartbeatsComeEveryIntervalWithConsecutiveSeq() {
        var h = DeviceHarness(config: config(interval: .seconds(15)))
        h.bootOnline()
        let start = h.now
        var times: [Instant] = []
        var seqs: [Int64] = []
        for _ in 0..<5 {
            let beat = h.tickAtDeadline()?.publishes(on: statusTopic).first
            times.append(h.now)
            seqs.append(beat?.json()["seq"]?.int64Value ?? -1)
            XCTAssertEqual(beat?.messageID.map(Int64.init), seqs.last)
        }
        XCTAssertEqual(seqs, [2, 3, 4, 5, 6], "seq 1 was the online announcement")
        XCTAssertEqual(times, (1...5).map { start + .seconds(15 * Int64($0)) })
    }

    func testTimestampKeepsMicrosecondsAsThreeDecimals() {
        var h = DeviceHarness(config: config(), start: Instant(microseconds: 1_764_396_000_000_123))
        let status = h.bootOnline().publishes[0]
        XCTAssertTrue(status.text.hasSuffix(#""ts":1764396000000.123}"#), status.text)
    }

    func testStatusQoSFollowsTheConfig() {
        var h = DeviceHarness(config: config(qos: 1))
        XCTAssertEqual(h.bootOnline().publishes[0].qos, 1)
        XCTAssertEqual(h.tickAtDeadline()?.publishes[0].qos, 1)
    }

    func testStateChangeIsPublishedRetainedImmediately() {
        var h = DeviceHarness(config: config())
        h.bootOnline()
        h.advance(by: .seconds(3))
        let actions = h.send(.httpRequest(id: 9, HTTPRequest(method: .post, path: "/reboot", headers: [DeviceHarness.json])))
        let status = actions.publishes(on: statusTopic)
        XCTAssertEqual(status.count, 1)
        XCTAssertTrue(status[0].retain)
        XCTAssertEqual(status[0].json()["state"]?.stringValue, "rebooting")
        XCTAssertEqual(status[0].json()["seq"]?.int64Value, 2)
    }

    func testNoHeartbeatsWhileDisconnectedAndAFreshAnnouncementAfterReconnect() {
        var h = DeviceHarness(config: config())
        h.bootOnline()
        h.advance(by: .seconds(4))
        let lost = h.send(.mqtt(.disconnected))
        XCTAssertTrue(lost.publishes.isEmpty)
        // Run through the backoff to the reconnect attempt: no status publishes on the way.
        var sawConnect = false
        while !sawConnect, let actions = h.tickAtDeadline() {
            XCTAssertTrue(actions.publishes.isEmpty, "nothing is published without a session")
            sawConnect = actions.mqttConnects > 0
        }
        XCTAssertTrue(sawConnect)
        let back = h.send(.mqtt(.connected))
        XCTAssertEqual(back.publishes.count, 1)
        XCTAssertTrue(back.publishes[0].retain)
        XCTAssertEqual(back.publishes[0].json()["state"]?.stringValue, "online")
        XCTAssertEqual(back.publishes[0].json()["seq"]?.int64Value, 2, "seq counts on within the power cycle")
        XCTAssertEqual(h.device.nextDeadline, h.now + .seconds(10))
    }

    func testALateTickSendsOneHeartbeatNotABurst() {
        var h = DeviceHarness(config: config())
        h.bootOnline()
        h.advance(by: .seconds(55))
        let actions = h.send(.tick)
        XCTAssertEqual(actions.publishes.count, 1)
        XCTAssertEqual(h.device.nextDeadline, h.now + .seconds(10))
    }

    func testFreeHeapVariesWithinTheModelAndIsReproducible() {
        let model = FreeHeapModel(afterBoot: 240_000, variation: 4096)
        var seen = Set<Int>()
        for sample in 0..<200 as Range<UInt64> {
            let free = model.freeHeap(sample: sample, seed: 7)
            XCTAssertTrue((240_000 - 4096...240_000).contains(free))
            XCTAssertEqual(free, model.freeHeap(sample: sample, seed: 7))
            seen.insert(free)
        }
        XCTAssertGreaterThan(seen.count, 100, "the figure moves")
    }

    func testHeartbeatCarriesTheOTAObjectWhenTheUpdaterReportsOne() {
        let beat = Heartbeat(id: "d", firmware: "1", state: .updating, uptimeSeconds: 5, rssi: nil, freeHeap: 1,
                             resetReason: .powerOn, bootCount: 1, seq: 3, timestamp: Instant(microseconds: 1500),
                             ota: .object([JSONMember("progress", .int(40))]))
        XCTAssertEqual(beat.json.encoded(),
                       #"{"id":"d","fw":"1","state":"updating","uptime_s":5,"rssi":null,"free_heap":1,"#
                       + #""reset_reason":"poweron","boot_count":1,"seq":3,"ts":1.500,"ota":{"progress":40}}"#)
    }
}
