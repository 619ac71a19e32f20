import XCTest
import DeviceCore
@testable import SimFleet

final class ReportTests: XCTestCase {
    func testHeartbeatFieldsReadSeqAndMillisecondTimestampWithDecimals() {
        let p = Array(#"{"id":"x","seq":42,"ts":1764396000123.456}"#.utf8)
        XCTAssertEqual(HeartbeatFields(payload: p), HeartbeatFields(seq: 42, timestampMicros: 1_764_396_000_123_456))
        let noDecimals = Array(#"{"seq":7,"ts":1764396000123}"#.utf8)
        XCTAssertEqual(HeartbeatFields(payload: noDecimals)?.timestampMicros, 1_764_396_000_123_000)
        XCTAssertNil(HeartbeatFields(payload: Array(#"{"state":"offline"}"#.utf8)))
    }

    func testDeliveryKeyOfThePublisherMatchesTheObserversAcrossSpacingAndKeyPositions() {
        let spaced = Array(#"{"seq" :  5, "boot_count": 3,"ts":1764396000123.456}"#.utf8)
        let fields = HeartbeatFields(payload: spaced)
        XCTAssertEqual(fields?.seq, 5)
        XCTAssertEqual(fields?.bootCount, 3)
        XCTAssertEqual(fields?.deliveryKey, HeartbeatFields.deliveryKey(seq: 5, bootCount: 3))
        XCTAssertEqual(HeartbeatFields.seq(ofKey: HeartbeatFields.deliveryKey(seq: 5, bootCount: 3)), 5)
        let bootLast = Array(#"{"seq":9,"boot_count":12}"#.utf8)
        XCTAssertEqual(HeartbeatFields(payload: bootLast)?.deliveryKey, 12 << 32 | 9)
        XCTAssertNil(HeartbeatFields(payload: Array(#"{"seq":}"#.utf8)), "a key without a number is no heartbeat")
        XCTAssertNil(HeartbeatFields(payload: Array(#""seq""#.utf8)), "a key at the very end is no heartbeat")
        XCTAssertEqual(HeartbeatFields(payload: Array(#"{"seq":4}"#.utf8))?.deliveryKey, HeartbeatFields.deliveryKey(seq: 4, bootCount: 0),
                       "no boot_count: boot count 0 on both sides")
    }

    func testSequenceSetCollapsesRunsAndFindsGapsForLossAccounting() {
        var acked = SequenceSet()
        for s in [1, 2, 3, 4, 6, 7, 9] { acked.insert(s) }
        XCTAssertEqual(acked.ranges, [1...4, 6...7, 9...9])
        var received = SequenceSet()
        for s in [9, 1, 3, 2, 7, 6] { received.insert(s) }
        XCTAssertFalse(received.insert(3), "a duplicate delivery is recognised")
        XCTAssertEqual(acked.subtracting(received), [4])
        received.insert(5)
        received.insert(4)
        XCTAssertEqual(received.ranges, [1...7, 9...9])
    }

    func testHeartbeatFieldsRefuseValuesNoDeviceSendsInsteadOfOverflowing() {
        func fields(_ text: String) -> HeartbeatFields? { HeartbeatFields(payload: Array(text.utf8)) }
        XCTAssertNil(fields(#"{"id":"x","seq":5,"ts":99999999999999999}"#), "milliseconds whose microseconds overflow 64 bits")
        XCTAssertNil(fields(#"{"id":"x","seq":5,"ts":9999999999999999999999}"#))
        XCTAssertNil(fields(#"{"id":"x","seq":4294967296}"#), "seq is 32 bits")
        XCTAssertNil(fields(#"{"id":"x","seq":0}"#), "seq starts at 1")
        XCTAssertNil(fields(#"{"id":"x","seq":5,"boot_count":2147483648}"#), "boot_count << 32 must stay positive")
        XCTAssertNil(fields(#"{"id":"x","seq":5,"boot_count":99999999999999999999}"#))
        XCTAssertNil(fields(#"{"id":"x","seq":5e3}"#))
        XCTAssertNil(fields(#""seq":5"#), "not an object")
        let top = fields(#"{"id":"x","boot_count":2147483647,"seq":4294967295,"ts":1764396000123.456}"#)
        XCTAssertEqual(top?.deliveryKey, Int.max)
        XCTAssertEqual(top?.timestampMicros, 1_764_396_000_123_456)
    }

    func testSequenceSetAgreesWithAPlainSetForNumbersInAnyOrder() {
        var random = SeededRandom(seed: 7)
        for round in 0..<50 {
            var set = SequenceSet()
            var plain = Set<Int>()
            for _ in 0..<200 {
                // Mostly in order (as devices publish), with jumps back and gaps.
                let seq = random.next(upTo: 3) == 0 ? Int(random.next(upTo: 120)) : (plain.max() ?? 0) + 1 + Int(random.next(upTo: 2))
                XCTAssertEqual(set.add(seq), plain.insert(seq).inserted ? .inserted : .present, "round \(round)")
            }
            var expected: [ClosedRange<Int>] = []
            for n in plain.sorted() {
                if let last = expected.last, last.upperBound + 1 == n { expected[expected.count - 1] = last.lowerBound...n } else { expected.append(n...n) }
            }
            XCTAssertEqual(set.ranges, expected, "round \(round)")
            XCTAssertEqual(set.count, plain.count)
            for n in -1...((plain.max() ?? 0) + 2) { XCTAssertEqual(set.contains(n), plain.contains(n)) }
        }
    }

    func testSequenceSetIsThreeWordsSoTenThousandDevicesPayLittleForIt() {
        // One per device in its host and one per device in the observer's table.
        XCTAssertEqual(MemoryLayout<SequenceSet>.size, 3 * MemoryLayout<Int>.size)
        var s = SequenceSet()
        XCTAssertEqual(s, SequenceSet())
        s.insert(1)
        XCTAssertNotEqual(s, SequenceSet())
    }

    func testSequenceSetTakesTheLargestKeyTwiceWithoutOverflow() {
        var set = SequenceSet()
        XCTAssertTrue(set.insert(7))
        XCTAssertTrue(set.insert(Int.max))
        XCTAssertFalse(set.insert(Int.max), "a duplicate, not an overflow")
        XCTAssertTrue(set.insert(Int.max - 1))
        XCTAssertEqual(set.ranges, [7...7, (Int.max - 1)...Int.max])
        XCTAssertTrue(set.contains(Int.max))
    }

    func testSequenceSetRefusesNewRangesPastItsCapButStillJoinsThem() {
        var scattered = SequenceSet()
        for k in 0..<SequenceSet.maxRanges { XCTAssertTrue(scattered.insert(k * 2)) }
        XCTAssertEqual(scattered.add(1_000_001), .full, "a client publishing scattered numbers cannot grow it further")
        XCTAssertEqual(scattered.add(10), .present)
        XCTAssertEqual(scattered.add(1), .inserted, "joining two ranges still works")
        XCTAssertEqual(scattered.ranges.count, SequenceSet.maxRanges - 1)
        XCTAssertEqual(scattered.count, SequenceSet.maxRanges + 1)
    }

    func testTemplatesExpandIndexPaddingAndIdAndTheSameSeedGivesTheSameFleet() {
        XCTAssertEqual(FleetConfiguration.expand("{chip}-{n:06}", n: 12, id: nil, chip: "esp32c6", mac: ""), "esp32c6-000012")
        XCTAssertEqual(FleetConfiguration.expand("user-{id}/{n}", n: 3, id: "dev3", chip: "", mac: ""), "user-dev3/3")
        let a = FleetConfiguration(devices: 10, seed: 99), b = FleetConfiguration(devices: 10, seed: 99), c = FleetConfiguration(devices: 10, seed: 100)
        XCTAssertEqual(a.deviceSpec(5), b.deviceSpec(5))
        XCTAssertNotEqual(a.deviceSpec(5).mac, c.deviceSpec(5).mac)
    }

    func testBrokerURLsParseMqttsWithoutACAUsesTheSystemStoreAndTLSWithMqttIsRejected() {
        XCTAssertEqual(BrokerChoice.parse("mqtt://127.0.0.1:1884"), .external(host: "127.0.0.1", port: 1884, tls: nil))
        XCTAssertEqual(BrokerChoice.parse("mqtt://broker"), .external(host: "broker", port: 1883, tls: nil))
        XCTAssertEqual(BrokerChoice.parse("mqtts://broker:8883"), .external(host: "broker", port: 8883, tls: TLSSettings(caFile: nil)))
        XCTAssertNil(BrokerChoice.parse("mqtt://broker", tls: TLSSettings(caFile: "ca.pem")), "TLS settings are never dropped")
        let tls = TLSSettings(caFile: "ca.pem")
        XCTAssertEqual(BrokerChoice.parse("mqtts://broker", tls: tls), .external(host: "broker", port: 8883, tls: tls))
        XCTAssertNil(BrokerChoice.parse("http://broker"))
        XCTAssertNil(BrokerChoice.parse("mqtt://broker:0"))
    }
}
