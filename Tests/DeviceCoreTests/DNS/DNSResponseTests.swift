import XCTest
@testable import DeviceCore

/// The stub-resolver half of the codec: queries it builds, responses it reads.
final class DNSResponseTests: XCTestCase {
    /// Why `bytes` are refused as a response, nil when they are read.
    func error(_ bytes: [UInt8]) -> DNSError? {
        do { _ = try DNSResponse(parsing: bytes); return nil } catch { return error }
    }

    func testBuiltQueryIsTheOneDigSendsWithoutEDNS() throws {
        XCTAssertEqual(try DNSMessage.query(id: 0x1234, name: DNSName(dotted: "example.com")), DNSResponderTests.query)
        XCTAssertEqual(try DNSMessage.query(id: 0x1234, name: DNSName(dotted: "example.com.")), DNSResponderTests.query,
                       "a trailing dot is the same fully qualified name")
        let aaaa = try DNSMessage(parsing: DNSMessage.query(id: 7, name: DNSName(dotted: "a.b"), type: DNSQuestion.typeAAAA))
        XCTAssertEqual(aaaa.header.id, 7)
        XCTAssertEqual(aaaa.question.name.text, "a.b")
        XCTAssertEqual(aaaa.question.type, DNSQuestion.typeAAAA)
    }

    func testNamesWithEmptyOrOverlongLabelsOrOver255BytesAreNotBuilt() {
        func refusal(_ name: DNSName) -> DNSError? {
            do { _ = try DNSMessage.query(id: 1, name: name); return nil } catch { return error }
        }
        XCTAssertEqual(refusal(DNSName(dotted: "a..b")), .invalidLabelLength(index: 1))
        XCTAssertEqual(refusal(DNSName(dotted: String(repeating: "x", count: 64) + ".com")), .invalidLabelLength(index: 0))
        let label = String(repeating: "x", count: 63)
        XCTAssertEqual(refusal(DNSName(dotted: [label, label, label, label].joined(separator: "."))), .nameTooLong(offset: 192))
        XCTAssertNil(refusal(DNSName(dotted: [label, label, label, String(repeating: "y", count: 61)].joined(separator: "."))),
                     "255 bytes in wire form is the limit, not over it")
        XCTAssertEqual(DNSName(dotted: ".").labels, [], "the root")
    }

    func testTheResponderHijackReadsBackAsTheAccessPointAddress() throws {
        let query = try DNSMessage.query(id: 0xBEEF, name: DNSName(dotted: "connectivitycheck.gstatic.com"))
        let reply = try XCTUnwrap(DNSResponder(address: IPv4Address(127, 20, 0, 5), ttl: 30).respond(to: query))
        let response = try DNSResponse(parsing: reply)
        XCTAssertEqual(response.header.id, 0xBEEF)
        XCTAssertEqual(response.question.name.text, "connectivitycheck.gstatic.com")
        XCTAssertEqual(response.answers.count, 1)
        XCTAssertEqual(response.answers.first?.name.text, "connectivitycheck.gstatic.com", "the pointer to the question is followed")
        XCTAssertEqual(response.answers.first?.ttl, 30)
        XCTAssertEqual(response.firstIPv4Address, IPv4Address(127, 20, 0, 5))
    }

    func testNoDataHasNoAddress() throws {
        let query = try DNSMessage.query(id: 9, name: DNSName(dotted: "example.com"), type: DNSQuestion.typeAAAA)
        let response = try DNSResponse(parsing: XCTUnwrap(DNSResponder().respond(to: query)))
        XCTAssertEqual(response.answers, [])
        XCTAssertNil(response.firstIPv4Address)
    }

    func testQueriesAreNotResponses() {
        XCTAssertEqual(error(DNSResponderTests.query), .notAResponse)
    }

    func testRecordsCutShortAreRefusedWhereTheyStart() throws {
        let reply = try XCTUnwrap(DNSResponder().respond(to: DNSResponderTests.query))   // answer at 29, 16 bytes
        XCTAssertEqual(reply.count, 45)
        XCTAssertEqual(error(Array(reply[0..<44])), .truncatedRecord(offset: 29), "RDATA one byte short")
        XCTAssertEqual(error(Array(reply[0..<35])), .truncatedRecord(offset: 29), "fixed fields cut")
        XCTAssertEqual(error(Array(reply[0..<30])), .truncatedName(offset: 29), "owner name cut")
        var moreAnswers = reply
        moreAnswers[7] = 2
        XCTAssertEqual(error(moreAnswers), .truncatedName(offset: 45), "ANCOUNT promises a record that is not there")
    }

    func testHostileResponsesGetTheQueryLimits() throws {
        let reply = try XCTUnwrap(DNSResponder().respond(to: DNSResponderTests.query))
        XCTAssertEqual(error(reply + [UInt8](repeating: 0, count: 500)), .tooLarge(size: 545, limit: 512))
        XCTAssertEqual(error(Array(reply[0..<5])), .truncatedHeader(size: 5))
        var loop = reply
        loop[29] = 0xC0; loop[30] = 0x1D                   // the answer's name points at itself
        XCTAssertEqual(error(loop), .forwardPointer(offset: 29))
        var none = reply
        none[5] = 0
        XCTAssertEqual(error(none), .noQuestion)
    }
}
