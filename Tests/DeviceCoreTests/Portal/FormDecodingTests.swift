import XCTest
@testable import DeviceCore

final class FormDecodingTests: XCTestCase {
    func decode(_ s: String, maxBytes: Int = 1024) throws(FormError) -> FormFields {
        try FormFields(decoding: Array(s.utf8), maxBytes: maxBytes, maxFields: 4)
    }

    func error(_ s: String, maxBytes: Int = 1024) -> FormError? {
        do { _ = try decode(s, maxBytes: maxBytes); return nil } catch { return error }
    }

    func testPlusIsSpaceAndPercentEscapesAreBytes() throws {
        let form = try decode("ssid=My+Home%20Net&password=a%2Bb%26c%3D&empty=&flag")
        XCTAssertEqual(form["ssid"], "My Home Net")
        XCTAssertEqual(form["password"], "a+b&c=")
        XCTAssertEqual(form["empty"], "")
        XCTAssertEqual(form["flag"], "")
        XCTAssertNil(form["absent"])
        XCTAssertEqual(try decode("ssid=caf%C3%A9")["ssid"], "café")
        XCTAssertEqual(try decode("&&a=1&&")["a"], "1")
    }

    func testInvalidInputGivesTypedErrors() {
        XCTAssertEqual(error("ssid=%4"), .invalidPercentEscape(offset: 5))
        XCTAssertEqual(error("ssid=%G1"), .invalidPercentEscape(offset: 5))
        XCTAssertEqual(error("ssid=%"), .invalidPercentEscape(offset: 5))
        XCTAssertEqual(error("ssid=%4&x=1"), .invalidPercentEscape(offset: 5), "escape may not run into the next field")
        XCTAssertEqual(error("ssid=%C3%28"), .invalidUTF8(offset: 5))
        XCTAssertEqual(error("a=1&a=2"), .duplicateField("a"))
        XCTAssertEqual(error("a=1&b=2&c=3&d=4&e=5"), .tooManyFields(limit: 4))
        XCTAssertEqual(error("ssid=abcdefghij", maxBytes: 8), .tooLarge(limit: 8))
    }

    func testHTMLEscapingCoversMarkupAndAttributeQuotes() {
        XCTAssertEqual(htmlEscaped(#"<a href="x" title='y'>&</a>"#),
                       "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;")
        XCTAssertEqual(htmlEscaped("plain café"), "plain café")
    }
}
