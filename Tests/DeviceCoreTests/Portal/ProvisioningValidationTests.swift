import Foundation
import XCTest
@testable import DeviceCore

final class ProvisioningValidationTests: XCTestCase {
    typealias F = PortalFixtures

    func error(_ ssid: String, _ password: String) -> ProvisioningError? {
        do { _ = try WiFiCredentials(validatingSSID: ssid, password: password, networks: F.networks); return nil } catch { return error }
    }

    func testSSIDMustBeOneTo32Bytes() {
        XCTAssertEqual(error("", "12345678"), .missingSSID)
        XCTAssertNil(error(String(repeating: "s", count: 32), "12345678"))
        XCTAssertEqual(error(String(repeating: "s", count: 33), "12345678"), .ssidTooLong(bytes: 33))
        XCTAssertEqual(error(String(repeating: "é", count: 17), "12345678"), .ssidTooLong(bytes: 34), "bytes, not characters")
    }

    func testPasswordIsEmptyOr8To63PrintableCharacters() {
        XCTAssertNil(error("cafe-open", ""))
        XCTAssertEqual(error("x", "1234567"), .passwordTooShort(characters: 7))
        XCTAssertNil(error("x", "12345678"))
        XCTAssertNil(error("x", String(repeating: "p", count: 63)))
        XCTAssertEqual(error("x", String(repeating: "p", count: 64)), .passwordTooLong(characters: 64))
        XCTAssertEqual(error("x", "pass\u{07}word"), .passwordNotPrintableASCII)
        XCTAssertEqual(error("x", "pässwörd1"), .passwordNotPrintableASCII)
    }

    func testSecuredScannedNetworkNeedsAPassword() {
        XCTAssertEqual(error("home", ""), .passwordRequired(ssid: "home"))
        XCTAssertNil(error("not-scanned", ""), "unknown networks may be open")
    }

    func testInvalidSaveGets400PageNamingTheProblemAndKeepsServing() {
        var portal = F.portal()
        let reply = portal.handle(F.postForm("ssid=home&password=short"), at: F.t0)
        XCTAssertEqual(reply.response.status, 400)
        XCTAssertEqual(reply.refusal, .invalidRequest(.passwordTooShort(characters: 5)))
        XCTAssertEqual(reply.logLevel, .warning)
        XCTAssertEqual(reply.log, "portal: save refused: password is 5 characters; WPA2 needs 8 to 63 (or none for an open network)")
        XCTAssertNil(reply.saved)
        XCTAssertTrue(reply.response.text.contains("password is 5 characters; WPA2 needs 8 to 63"))
        XCTAssertTrue(reply.response.text.contains("value=\"home\""), "SSID re-filled")
        XCTAssertEqual(portal.state, .serving(lastFailure: nil))
        XCTAssertNotNil(portal.handle(F.postForm("ssid=home&password=longenough"), at: F.t0).saved, "can retry")
    }

    func testInvalidJSONSaveGets400JSONWithCode() throws {
        var portal = F.portal()
        let cases: [(String, String)] = [
            (#"{"ssid":"","password":"12345678"}"#, "missing_ssid"),
            (#"{"ssid":"home"}"#, "password_required"),
            (#"{"ssid":5,"password":"12345678"}"#, "field_not_text"),
            (#"{"ssid":"home","#, "malformed_json"),
            (#"{"ssid":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","password":"12345678"}"#, "ssid_too_long"),
        ]
        for (body, code) in cases {
            let reply = portal.handle(F.postJSON(body), at: F.t0)
            let response = reply.response
            XCTAssertEqual(response.status, 400, body)
            guard case .invalidRequest(let error)? = reply.refusal else { return XCTFail("no refusal for " + body) }
            XCTAssertEqual(error.code, code, body)
            XCTAssertEqual(try JSONReader().parse(response.body)["error"], .string(code), body)
        }
    }

    func testMalformedFormAndUnknownContentTypeAreRefused() {
        var portal = F.portal()
        let badReply = portal.handle(F.postForm("ssid=ho%zzme&password=12345678"), at: F.t0)
        let bad = badReply.response
        XCTAssertEqual(bad.status, 400)
        guard case .invalidRequest(.malformedForm)? = badReply.refusal else { return XCTFail("no malformedForm refusal") }
        XCTAssertTrue(bad.text.contains("invalid %-escape at offset"))
        var xml = F.postForm("<ssid/>")
        xml.headers = [HTTPHeader("Content-Type", "text/xml")]
        let xmlReply = portal.handle(xml, at: F.t0)
        XCTAssertEqual(xmlReply.response.status, 415)
        XCTAssertEqual(xmlReply.refusal, .invalidRequest(.unsupportedContentType("text/xml")))
    }

    func testPasswordIsNeverEchoedOrLogged() {
        let secret = "Tr0ub4dor&3-SECRET"
        let bodies = ["ssid=home&password=" + secret.replacingOccurrences(of: "&", with: "%26"),
                      "ssid=&password=" + "Tr0ub4dor%263-SECRET",
                      "ssid=" + String(repeating: "x", count: 40) + "&password=Tr0ub4dor%263-SECRET"]
        for body in bodies {
            var portal = F.portal()
            let reply = portal.handle(F.postForm(body), at: F.t0)
            XCTAssertFalse(reply.response.text.contains("SECRET"), body)
            XCTAssertFalse((reply.log ?? "").contains("SECRET"), body)
            XCTAssertNotNil(reply.log)
            XCTAssertFalse(portal.handle(F.get("/"), at: F.t0).response.text.contains("SECRET"))
        }
        var portal = F.portal()
        let json = portal.handle(F.postJSON(#"{"ssid":"home","password":"Tr0ub4dor&3-SECRET"}"#), at: F.t0)
        XCTAssertFalse(json.response.text.contains("SECRET"))
        XCTAssertFalse((json.log ?? "").contains("SECRET"))
    }

    func testEchoedSSIDInErrorPageIsEscaped() {
        var portal = F.portal()
        let response = portal.handle(F.postForm("ssid=%3Cscript%3Ealert(1)%3C%2Fscript%3E&password=short"), at: F.t0).response
        XCTAssertFalse(response.text.contains("<script>alert"))
        XCTAssertTrue(response.text.contains("value=\"&lt;script&gt;alert(1)&lt;/script&gt;\""))
    }
}
