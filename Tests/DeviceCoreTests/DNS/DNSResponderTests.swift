import XCTest
@testable import DeviceCore

final class DNSResponderTests: XCTestCase {
    let responder = DNSResponder()

    /// `example.com A IN`, id 0x1234, RD set — the query `dig` sends without EDNS.
    static let query: [UInt8] = [
        0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x07, 0x65, 0x78, 0x61, 0x6D, 0x70, 0x6C, 0x65, 0x03, 0x63, 0x6F, 0x6D, 0x00,
        0x00, 0x01, 0x00, 0x01,
    ]

    static func query(name: [String], type: UInt16, id: UInt16 = 0xBEEF, flags: UInt16 = 0x0100, qdcount: UInt16 = 1) -> [UInt8] {
        var q: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xFF), UInt8(flags >> 8), UInt8(flags & 0xFF),
                          UInt8(qdcount >> 8), UInt8(qdcount & 0xFF), 0, 0, 0, 0, 0, 0]
        for label in name { q.append(UInt8(label.utf8.count)); q.append(contentsOf: label.utf8) }
        q.append(contentsOf: [0, UInt8(type >> 8), UInt8(type & 0xFF), 0, 1])
        return q
    }

    func testGoldenAQueryGetsAPAddressWithPointerToQuestion() {
        let expected: [UInt8] = [
            0x12, 0x34, 0x85, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,   // id, QR|AA|RD, 1 q, 1 an
            0x07, 0x65, 0x78, 0x61, 0x6D, 0x70, 0x6C, 0x65, 0x03, 0x63, 0x6F, 0x6D, 0x00,
            0x00, 0x01, 0x00, 0x01,                                                    // question copied
            0xC0, 0x0C, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3C,               // ptr, A, IN, TTL 60
            0x00, 0x04, 0xC0, 0xA8, 0x04, 0x01,                                        // 192.168.4.1
        ]
        XCTAssertEqual(responder.respond(to: Self.query), expected)
    }

    func testAnswerUsesConfiguredAddressAndTTLAndClearsRDWhenNotAsked() {
        let r = DNSResponder(address: IPv4Address(127, 20, 0, 5), ttl: 5)
        let reply = r.respond(to: Self.query(name: ["anything", "example"], type: 1, flags: 0x0000))!
        XCTAssertEqual(Array(reply[2...3]), [0x84, 0x00])
        XCTAssertEqual(Array(reply[(reply.count - 10)...]), [0, 0, 0, 5, 0, 4, 127, 20, 0, 5])
    }

    func testAAAAAndOtherTypesGetNoErrorWithoutAnswers() {
        for type: UInt16 in [28, 15, 16, 65, 255] {
            let q = Self.query(name: ["captive", "apple", "com"], type: type)
            let reply = responder.respond(to: q)!
            XCTAssertEqual(Array(reply[0...11]), [0xBE, 0xEF, 0x85, 0x00, 0, 1, 0, 0, 0, 0, 0, 0], "type " + String(type))
            XCTAssertEqual(Array(reply[12...]), Array(q[12...]), "question echoed")
        }
    }

    func testEDNSOptRecordAfterTheQuestionIsIgnored() {
        var q = Self.query
        q[11] = 1
        q.append(contentsOf: [0x00, 0x00, 0x29, 0x04, 0xD0, 0, 0, 0, 0, 0, 0])
        let reply = responder.respond(to: q)!
        XCTAssertEqual(reply.count, Self.query.count + 16)
        XCTAssertEqual(Array(reply[(reply.count - 4)...]), [192, 168, 4, 1])
    }

    func testUnreadableOrNonQueryDatagramsAreDropped() {
        XCTAssertNil(responder.respond(to: []))
        XCTAssertNil(responder.respond(to: Array(Self.query[0..<11])), "truncated header")
        var response = Self.query
        response[2] |= 0x80
        XCTAssertNil(responder.respond(to: response), "responses are never answered")
        XCTAssertNil(responder.respond(to: Self.query + [UInt8](repeating: 0, count: 512)), "oversized")
    }

    func testMalformedQuestionGetsFormErrWithIdEchoed() {
        var overrun = Self.query
        overrun[12] = 0x3F                                  // label of 63 bytes, only 16 left
        let reply = responder.respond(to: overrun)
        XCTAssertEqual(reply, [0x12, 0x34, 0x85, 0x01, 0, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(responder.respond(to: Self.query(name: ["a"], type: 1, qdcount: 0))?[3], 0x01)
        XCTAssertEqual(responder.respond(to: Self.query(name: ["a"], type: 1, qdcount: 2))?[3], 0x01)
    }

    func testNonStandardOpcodeGetsNotImplemented() {
        let reply = responder.respond(to: Self.query(name: ["a"], type: 1, flags: 0x2100))   // opcode 4 NOTIFY
        XCTAssertEqual(reply, [0xBE, 0xEF, 0xA5, 0x04, 0, 0, 0, 0, 0, 0, 0, 0])
    }

    func testSeededRandomDatagramsNeverCrashAndStayBounded() {
        var rng = SeededRandom(seed: 42)
        for _ in 0..<20_000 {
            let length = Int(rng.next(upTo: 80))
            var d: [UInt8] = []
            for _ in 0..<length { d.append(UInt8(truncatingIfNeeded: rng.next())) }
            if d.count > 2 { d[2] &= 0x7F }                   // mostly queries, to reach the name reader
            if d.count > 5 { d[4] = 0; d[5] = 1 }
            if let reply = responder.respond(to: d) { XCTAssertLessThanOrEqual(reply.count, d.count + 16) }
        }
    }
}
