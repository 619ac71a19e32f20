import XCTest
@testable import DeviceCore

final class JSONTests: XCTestCase {
    let reader = JSONReader(maxBytes: 256, maxDepth: 4)

    func testOTACommandParsesWithMembersInOrder() throws {
        let v = try reader.parse(#"{"version":"1.2.0","url":"http://h/f.bin","size":1024}"#)
        XCTAssertEqual(v["version"]?.stringValue, "1.2.0")
        XCTAssertEqual(v["size"]?.int64Value, 1024)
        XCTAssertNil(v["sha256"])
    }

    func testRoundTripEscapesControlCharactersAndQuotes() throws {
        let original = JSONValue.object([JSONMember("s", .string("a\"b\\c\n\u{01}é"))])
        let text = original.encoded()
        XCTAssertEqual(text, #"{"s":"a\"b\\c\n\u0001é"}"#)
        XCTAssertEqual(try reader.parse(text), original)
    }

    func testSurrogatePairEscapeDecodes() throws {
        XCTAssertEqual(try reader.parse(#""\ud83d\ude00""#), .string("😀"))
    }

    func testMalformedInputGivesTypedErrors() {
        func error(_ text: String) -> JSONError? {
            do { _ = try reader.parse(text); return nil } catch { return error }
        }
        XCTAssertEqual(error(""), .unexpectedEnd)
        XCTAssertEqual(error("{"), .unexpectedEnd)
        XCTAssertEqual(error(#"{"a":1,}"#), .unexpectedByte(UInt8(ascii: "}"), offset: 7))
        XCTAssertEqual(error("01"), .trailingData(offset: 1))
        XCTAssertEqual(error("1."), .invalidNumber(offset: 0))
        XCTAssertEqual(error(#""\x""#), .invalidEscape(offset: 1))
        XCTAssertEqual(error(#""\udc00""#), .invalidEscape(offset: 1))
        XCTAssertEqual(error("\"a\u{01}\""), .controlCharacterInString(offset: 2))
        XCTAssertEqual(error(#"{"a":1,"a":2}"#), .duplicateKey("a"))
        XCTAssertEqual(error("[[[[[1]]]]]"), .tooDeep(limit: 4))
        XCTAssertEqual(error("tru"), .unexpectedEnd)
        XCTAssertEqual(error(String(repeating: " ", count: 257)), .tooLarge(limit: 256))
    }

    func testInvalidUTF8IsRejected() {
        XCTAssertThrowsError(try reader.parse([0x22, 0xC0, 0x80, 0x22]))  // overlong NUL
        XCTAssertThrowsError(try reader.parse([0x22, 0xED, 0xA0, 0x80, 0x22]))  // encoded surrogate
    }

    func testIntegerAccessorRefusesFractionsAndOverflow() throws {
        XCTAssertNil(try reader.parse("1.5").int64Value)
        XCTAssertNil(try reader.parse("99999999999999999999").int64Value)
        XCTAssertEqual(try reader.parse("-9223372036854775808").int64Value, Int64.min)
    }

    func testDuplicateKeyCheckMakesFewerThanQuadraticComparisons() {
        // 5,000 distinct keys: every pair would be 12.5 million comparisons; n·log2(n) is about 61,000.
        let members = (0..<5_000).map { JSONMember("key" + String($0 * 7_919 % 5_000), .null) }
        var comparisons = 0
        XCTAssertNil(DuplicateKeys.first(in: members, comparisons: &comparisons))
        XCTAssertLessThan(comparisons, 4 * 5_000 * 13, "O(n log n) comparisons, not every pair")
    }

    func testTheDuplicateReportedIsTheOneRepeatedEarliest() {
        func first(_ keys: [String]) -> String? {
            var comparisons = 0
            return DuplicateKeys.first(in: keys.map { JSONMember($0, .null) }, comparisons: &comparisons)
        }
        XCTAssertEqual(first(["x", "y", "y", "x"]), "y")
        XCTAssertEqual(first(["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "c", "b"]), "c", "a large object too")
        XCTAssertNil(first(["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"]))
    }

    func testAnObjectWithAHundredThousandKeysIsReadAndItsDuplicateFound() throws {
        var text = "{"
        for i in 0..<100_000 { text += (i == 0 ? "" : ",") + "\"k" + String(i) + "\":" + String(i) }
        let big = JSONReader(maxBytes: 4 << 20, maxDepth: 4)
        guard case .object(let members) = try big.parse(text + "}") else { return XCTFail("not an object") }
        XCTAssertEqual(members.count, 100_000)
        XCTAssertThrowsError(try big.parse(text + ",\"k99\":0}")) { XCTAssertEqual($0 as? JSONError, .duplicateKey("k99")) }
    }
}
