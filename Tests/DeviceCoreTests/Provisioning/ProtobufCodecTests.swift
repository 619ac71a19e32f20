import XCTest
@testable import DeviceCore

/// The codec against bytes made by Google's protobuf with the `*_pb2.py` modules ESP-IDF v5.1.1
/// generates from its .proto files (the ones `esp_prov` loads): decoding gives the message that
/// was built, and encoding gives the same bytes back.
final class ProtobufCodecTests: XCTestCase {
    func hex(_ s: String) -> [UInt8] { bytesFromHex(s)! }

    func testSessionMessagesMatchGoogleProtobufByteForByte() throws {
        let cases: [(String, SessionData)] = [
            ("5203a20100", SessionData(secVer: 0, payload: .sec0(Sec0Payload(msg: 0, body: .command)))),
            ("52050801aa0100", SessionData(secVer: 0, payload: .sec0(Sec0Payload(msg: 1, body: .response(status: 0))))),
            ("10015a25a201220a20" + hexString(Array(0..<32)),
             SessionData(secVer: 1, payload: .sec1(Sec1Payload(msg: 0, body: .command0(clientPubkey: Array(0..<32)))))),
            ("10015a390801aa01341220" + String(repeating: "aa", count: 32) + "1a10" + String(repeating: "55", count: 16),
             SessionData(secVer: 1, payload: .sec1(Sec1Payload(msg: 1, body: .response0(
                status: 0, devicePubkey: [UInt8](repeating: 0xAA, count: 32), deviceRandom: [UInt8](repeating: 0x55, count: 16)))))),
            ("10015a270802b2012212" + "20" + String(repeating: "07", count: 32),
             SessionData(secVer: 1, payload: .sec1(Sec1Payload(msg: 2, body: .command1(clientVerifyData: [UInt8](repeating: 7, count: 32)))))),
            ("10015a270803ba01221a20" + String(repeating: "09", count: 32),
             SessionData(secVer: 1, payload: .sec1(Sec1Payload(msg: 3, body: .response1(status: 0, deviceVerifyData: [UInt8](repeating: 9, count: 32)))))),
            ("10026212a2010f0a087769666970726f761203010203",
             SessionData(secVer: 2, payload: .sec2(Sec2Payload(msg: 0, body: .command0(clientUsername: Array("wifiprov".utf8), clientPubkey: [1, 2, 3]))))),
            ("1002620c0801aa0107120204051a0106",
             SessionData(secVer: 2, payload: .sec2(Sec2Payload(msg: 1, body: .response0(status: 0, devicePubkey: [4, 5], deviceSalt: [6]))))),
            ("100262090802b201040a020809", SessionData(secVer: 2, payload: .sec2(Sec2Payload(msg: 2, body: .command1(clientProof: [8, 9]))))),
            ("1002620c0803ba010712010a1a020b0c",
             SessionData(secVer: 2, payload: .sec2(Sec2Payload(msg: 3, body: .response1(status: 0, deviceProof: [10], deviceNonce: [11, 12]))))),
        ]
        for (bytes, message) in cases {
            XCTAssertEqual(try SessionData.decode(hex(bytes)), message, bytes)
            XCTAssertEqual(hexString(message.encoded()), bytes)
        }
    }

    func testWiFiConfigMessagesMatchGoogleProtobufByteForByte() throws {
        let connected = WiFiConfigPayload.ConnectedState(ip4Address: "10.0.0.2", authMode: 3, ssid: Array("home".utf8),
                                                         bssid: [2, 0x53, 0x46, 0, 0, 1], channel: 6)
        let cases: [(String, WiFiConfigPayload)] = [
            ("080262100a04686f6d65120868756e7465723232",
             WiFiConfigPayload(msg: 2, body: .setConfig(ssid: Array("home".utf8), passphrase: Array("hunter22".utf8), bssid: [], channel: 0))),
            ("080262190a04686f6d651a0601020304050620fdffffffffffffffff01",
             WiFiConfigPayload(msg: 2, body: .setConfig(ssid: Array("home".utf8), passphrase: [], bssid: [1, 2, 3, 4, 5, 6], channel: -3))),
            ("5200", WiFiConfigPayload(msg: 0, body: .getStatus)),
            ("08015a0410035000", WiFiConfigPayload(msg: 1, body: .getStatusResponse(status: 0, state: 3, detail: .failReason(0)))),
            ("08015a1e5a1c0a0831302e302e302e3210031a04686f6d6522060253460000012806",
             WiFiConfigPayload(msg: 1, body: .getStatusResponse(status: 0, state: 0, detail: .connected(connected)))),
            ("08057a00", WiFiConfigPayload(msg: 5, body: .applyConfigResponse(status: 0))),
        ]
        for (bytes, message) in cases {
            XCTAssertEqual(try WiFiConfigPayload.decode(hex(bytes)), message, bytes)
            XCTAssertEqual(hexString(message.encoded()), bytes)
        }
        // A command whose payload member is absent decodes to the type alone.
        XCTAssertEqual(try WiFiConfigPayload.decode(hex("0804")), WiFiConfigPayload(msg: 4, body: nil))
    }

    func testScanAndControlMessagesMatchGoogleProtobufByteForByte() throws {
        let scans: [(String, WiFiScanPayload)] = [
            ("5206080118052078", WiFiScanPayload(msg: 0, body: .scanStart(blocking: true, passive: false, groupChannels: 5, periodMs: 120))),
            ("08057a1f0a1d0a04686f6d65100618cdffffffffffffffff0122060253460000012803",
             WiFiScanPayload(msg: 5, body: .scanResultResponse([WiFiScanPayload.Entry(
                ssid: Array("home".utf8), channel: 6, rssi: -51, bssid: [2, 0x53, 0x46, 0, 0, 1], auth: 3)]))),
            ("08036a0408011002", WiFiScanPayload(msg: 3, body: .scanStatusResponse(finished: true, resultCount: 2))),
        ]
        for (bytes, message) in scans {
            XCTAssertEqual(try WiFiScanPayload.decode(hex(bytes)), message, bytes)
            XCTAssertEqual(hexString(message.encoded()), bytes)
        }
        let controls: [(String, WiFiCtrlPayload)] = [
            ("08015a00", .of(type: 1)),
            ("0803", WiFiCtrlPayload(msg: 3, member: nil)),
            ("080410057200", .of(type: 4, status: 5)),
        ]
        for (bytes, message) in controls {
            XCTAssertEqual(try WiFiCtrlPayload.decode(hex(bytes)), message, bytes)
            XCTAssertEqual(hexString(message.encoded()), bytes)
        }
    }

    func testEveryVarintWidthRoundTrips() throws {
        for value: UInt64 in [0, 1, 127, 128, 16_383, 16_384, 1 << 35, UInt64.max] {
            var w = ProtobufWriter()
            w.varint(3, value, always: true)
            var r = try ProtobufReader(w.encoded)
            let f = try XCTUnwrap(try r.next())
            XCTAssertEqual(f.number, 3)
            XCTAssertEqual(try r.varint(f), value)
            XCTAssertNil(try r.next())
        }
    }

    func testNegativeInt32TakesTenBytesAndComesBack() throws {
        var w = ProtobufWriter()
        w.int32(5, -51)
        XCTAssertEqual(w.encoded.count, 11)
        var r = try ProtobufReader(w.encoded)
        XCTAssertEqual(try r.int32(try XCTUnwrap(try r.next())), -51)
    }
}
