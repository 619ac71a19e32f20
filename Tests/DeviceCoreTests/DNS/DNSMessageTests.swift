import XCTest
@testable import DeviceCore

final class DNSMessageTests: XCTestCase {
    func parse(_ bytes: [UInt8]) -> Result<DNSMessage, DNSError> {
        do { return .success(try DNSMessage(parsing: bytes)) } catch { return .failure(error) }
    }

    func error(_ bytes: [UInt8]) -> DNSError? {
        if case .failure(let e) = parse(bytes) { return e }
        return nil
    }

    static let header: [UInt8] = [0xAB, 0xCD, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0]

    func testQueryParsesNameTypeClassAndQuestionRange() throws {
        let m = try DNSMessage(parsing: DNSResponderTests.query)
        XCTAssertEqual(m.header.id, 0x1234)
        XCTAssertTrue(m.header.recursionDesired)
        XCTAssertEqual(m.question.name.text, "example.com")
        XCTAssertEqual(m.question.type, 1)
        XCTAssertEqual(m.question.class, 1)
        XCTAssertEqual(m.question.wireRange, 12..<29)
    }

    func testTruncatedHeader() {
        XCTAssertEqual(error(Array(Self.header[0..<7])), .truncatedHeader(size: 7))
    }

    func testLabelOverrunsDatagram() {
        XCTAssertEqual(error(Self.header + [0x05, 0x61, 0x62]), .truncatedName(offset: 12))
        XCTAssertEqual(error(Self.header + [0x01, 0x61]), .truncatedName(offset: 14), "missing root label")
    }

    func testLabelTypes0x40And0x80AreRefused() {
        XCTAssertEqual(error(Self.header + [0x41, 0x61, 0x00, 0, 1, 0, 1]), .invalidLabelType(offset: 12))
        XCTAssertEqual(error(Self.header + [0x80, 0x00, 0, 1, 0, 1]), .invalidLabelType(offset: 12))
    }

    func testNameLongerThan255BytesIsRefused() {
        var bytes = Self.header
        for _ in 0..<5 { bytes.append(63); bytes.append(contentsOf: [UInt8](repeating: 0x61, count: 63)) }
        bytes.append(contentsOf: [0, 0, 1, 0, 1])
        XCTAssertEqual(error(bytes), .nameTooLong(offset: 12 + 3 * 64), "the fourth 63-byte label makes 257")
        var atLimit = Self.header                           // 3 × 64 + 62 + 1 = 255 bytes: allowed
        for _ in 0..<3 { atLimit.append(63); atLimit.append(contentsOf: [UInt8](repeating: 0x61, count: 63)) }
        atLimit.append(61); atLimit.append(contentsOf: [UInt8](repeating: 0x62, count: 61))
        atLimit.append(contentsOf: [0, 0, 1, 0, 1])
        XCTAssertEqual(try parse(atLimit).get().question.name.labels.count, 4)
    }

    func testForwardAndSelfPointersAreRefused() {
        XCTAssertEqual(error(Self.header + [0xC0, 0x0E, 0x00, 0, 1, 0, 1]), .forwardPointer(offset: 12))
        XCTAssertEqual(error(Self.header + [0xC0, 0x0C, 0, 1, 0, 1]), .forwardPointer(offset: 12), "points at itself")
    }

    func testBackwardPointerLoopIsCaughtByTheHopLimit() {
        // offset 12: label "a", then a pointer back to 12: a.a.a.... forever
        XCTAssertEqual(error(Self.header + [0x01, 0x61, 0xC0, 0x0C, 0, 1, 0, 1]), .pointerLoop(offset: 14))
    }

    func testBackwardPointerIsFollowedAndQuestionEndsAfterIt() throws {
        // A pointer into the header reads bytes 0x00 at offset 6 (ANCOUNT high byte) as the root.
        let m = try parse(Self.header + [0x01, 0x61, 0xC0, 0x06, 0, 1, 0, 1]).get()
        XCTAssertEqual(m.question.name.text, "a")
        XCTAssertEqual(m.question.wireRange, 12..<20)
    }

    func testOversizedDatagramIsRefused() {
        XCTAssertEqual(error(DNSResponderTests.query + [UInt8](repeating: 0, count: 500)), .tooLarge(size: 529, limit: 512))
    }

    func testQuestionCountMustBeOne() {
        var zero = Self.header
        zero[5] = 0
        XCTAssertEqual(error(zero), .noQuestion)
        var many = DNSResponderTests.query
        many[4] = 0xFF; many[5] = 0xFF
        XCTAssertEqual(error(many), .tooManyQuestions(count: 65535))
    }

    func testMissingTypeAndClassIsRefused() {
        XCTAssertEqual(error(Self.header + [0x01, 0x61, 0x00, 0x00, 0x01, 0x00]), .truncatedQuestion(offset: 15))
    }

    func testResponsesAreNotQueries() {
        var r = Self.header + [0, 0, 1, 0, 1]
        r[2] = 0x81
        XCTAssertEqual(error(r), .notAQuery)
    }
}
