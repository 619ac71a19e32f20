import XCTest
@testable import DeviceCore

/// Bad protobuf input: every malformed shape gets its typed error and nothing traps. Unknown
/// fields of a valid wire type are skipped, as protobuf and ESP-IDF's protobuf-c skip them.
final class ProtobufRobustnessTests: XCTestCase {
    func hex(_ s: String) -> [UInt8] { bytesFromHex(s)! }

    func testTruncatedMessagesAreRefusedAtEveryCutInsideAField() {
        let whole = hex("10015a25a201220a20" + hexString(Array(0..<32)))
        for cut in 1..<whole.count where cut != 2 {  // after 2 bytes it is a whole `sec_ver = 1` message
            XCTAssertEqual(decodeProtocommMessage(Array(whole[0..<cut]), as: .session), .truncated, "cut at \(cut)")
        }
        XCTAssertNil(decodeProtocommMessage(Array(whole[0..<2]), as: .session))
        XCTAssertNil(decodeProtocommMessage(whole, as: .session))
    }

    func testOversizedMessageIsRefusedBeforeReading() {
        let big = [UInt8](repeating: 0, count: ProtobufReader.maxMessageBytes + 1)
        for kind in ProtocommMessageKind.allCases {
            XCTAssertEqual(decodeProtocommMessage(big, as: kind), .tooLarge(limit: 4096))
        }
    }

    func testUnknownFieldsAreSkippedAndTheKnownOnesStillRead() throws {
        // SetConfig with an unknown varint (field 9) and unknown bytes (field 15) inside, an
        // unknown fixed32 and fixed64 (fields 30, 31) outside.
        var sub = ProtobufWriter()
        sub.varint(9, 42)
        sub.bytes(1, Array("home".utf8))
        sub.bytes(15, [1, 2, 3])
        sub.bytes(2, Array("hunter22".utf8))
        var bytes = [UInt8]()
        bytes += [0x08, 0x02]  // msg = SetConfig
        bytes += [0xF5, 0x01, 1, 2, 3, 4]  // field 30, fixed32
        bytes += [0xF9, 0x01, 1, 2, 3, 4, 5, 6, 7, 8]  // field 31, fixed64
        var w = ProtobufWriter()
        w.message(12, sub)
        bytes += w.encoded
        let m = try WiFiConfigPayload.decode(bytes)
        XCTAssertEqual(m, WiFiConfigPayload(msg: 2, body: .setConfig(ssid: Array("home".utf8), passphrase: Array("hunter22".utf8),
                                                                     bssid: [], channel: 0)))
    }

    func testKnownFieldWithTheWrongWireTypeIsRefused() {
        // `ssid` (bytes) sent as a varint; `msg` (enum) sent as bytes; `channel` as fixed32.
        XCTAssertEqual(WiFiConfigPayload.decodeError(hex("08026202" + "0801")), .wrongWireType(field: 1, expected: 2, got: 0))
        XCTAssertEqual(WiFiConfigPayload.decodeError(hex("0a0102")), .wrongWireType(field: 1, expected: 0, got: 2))
        XCTAssertEqual(WiFiConfigPayload.decodeError(hex("08026205" + "2501020304")), .wrongWireType(field: 4, expected: 0, got: 5))
        // A session payload (message) sent as a varint.
        XCTAssertEqual(decodeProtocommMessage(hex("10015801"), as: .session), .wrongWireType(field: 11, expected: 2, got: 0))
    }

    func testMalformedVarintsAndFieldNumbersAreRefused() {
        XCTAssertEqual(decodeProtocommMessage(hex("08" + String(repeating: "ff", count: 10) + "01"), as: .wifiCtrl), .malformedVarint)
        XCTAssertEqual(decodeProtocommMessage(hex("08ffffffffffffffffff02"), as: .wifiCtrl), .malformedVarint)
        XCTAssertEqual(decodeProtocommMessage(hex("0001"), as: .wifiCtrl), .invalidFieldNumber)
        XCTAssertEqual(decodeProtocommMessage(hex("f8ffffff7f00"), as: .wifiCtrl), .invalidFieldNumber)
        XCTAssertEqual(decodeProtocommMessage(hex("0b"), as: .wifiCtrl), .unsupportedWireType(field: 1, wireType: 3))
        XCTAssertEqual(decodeProtocommMessage(hex("0e"), as: .wifiCtrl), .unsupportedWireType(field: 1, wireType: 6))
        XCTAssertEqual(decodeProtocommMessage(hex("1a05010203"), as: .wifiCtrl), .truncated)
    }

    func testNestingDeeperThanTheSchemaIsRefused() throws {
        // A scan result entry whose `ssid` is itself parsed as a message would be depth 4: the
        // schema never goes there, so bound it through the reader directly.
        var inner = ProtobufWriter()
        inner.varint(1, 1)
        var level = inner
        for _ in 0..<5 {
            var w = ProtobufWriter()
            w.message(1, level)
            level = w
        }
        var reader = try ProtobufReader(level.encoded)
        var depth = 0
        do {
            while let f = try reader.next() {
                reader = try reader.message(f)
                depth += 1
            }
            XCTFail("went \(depth) levels deep")
        } catch {
            XCTAssertEqual(error, .tooDeep(limit: ProtobufReader.maxDepth))
            XCTAssertEqual(depth, ProtobufReader.maxDepth - 1)
        }
    }

    func testScanResultWithMoreEntriesThanTheCapIsRefused() {
        var list = ProtobufWriter()
        for _ in 0...WiFiScanPayload.maxEntries { list.message(1, ProtobufWriter()) }
        var w = ProtobufWriter()
        w.varint(1, 5)
        w.message(15, list)
        XCTAssertEqual(decodeProtocommMessage(w.encoded, as: .wifiScan), .tooManyEntries(field: 1, limit: WiFiScanPayload.maxEntries))
    }

    func testRandomBytesNeverTrapAndEveryAcceptedMessageRoundTrips() {
        var random = SeededRandom(seed: 14)
        for _ in 0..<20_000 {
            let length = Int(random.next(upTo: 48))
            var bytes: [UInt8] = []
            for _ in 0..<length { bytes.append(UInt8(truncatingIfNeeded: random.next())) }
            for kind in ProtocommMessageKind.allCases { _ = decodeProtocommMessage(bytes, as: kind) }
        }
    }
}

extension WiFiConfigPayload {
    /// The error decoding `bytes` gives, nil when it decodes.
    static func decodeError(_ bytes: [UInt8]) -> ProtobufError? { decodeProtocommMessage(bytes, as: .wifiConfig) }
}
