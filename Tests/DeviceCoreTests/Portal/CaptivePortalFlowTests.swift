import XCTest
@testable import DeviceCore

final class CaptivePortalFlowTests: XCTestCase {
    typealias F = PortalFixtures

    func testWholeProvisioningFlowFromPageToRebootAndClose() {
        var portal = F.portal()
        let page = portal.handle(F.get("/"), at: F.t0).response
        XCTAssertEqual(page.status, 200)
        XCTAssertEqual(page.header("Content-Type"), "text/html; charset=utf-8")
        XCTAssertTrue(page.text.contains("esp32c6-a1b2c3"))
        XCTAssertTrue(page.text.contains("<form method=\"post\" action=\"/save\""))

        let reply = portal.handle(F.postForm("ssid=home&password=correct+horse%21"), at: F.t0)
        XCTAssertEqual(reply.response.status, 200)
        XCTAssertEqual(reply.saved, try WiFiCredentials(validatingSSID: "home", password: "correct horse!"))
        XCTAssertNil(reply.refusal)
        XCTAssertEqual(reply.logLevel, .info)
        XCTAssertEqual(reply.log, "portal: credentials saved for SSID \"home\"")
        XCTAssertTrue(reply.response.text.contains("restart in 3 s"))
        XCTAssertEqual(portal.state, .savedAwaitingReboot(ssid: "home", rebootAt: F.t0 + .seconds(3)))
        XCTAssertEqual(portal.deadline, F.t0 + .seconds(3))

        XCTAssertNil(portal.tick(at: F.t0 + .milliseconds(2_999)).notice)
        XCTAssertTrue(portal.handle(F.get("/"), at: F.t0 + .seconds(1)).response.text.contains("restart in 2 s"))
        let again = portal.handle(F.postForm("ssid=other&password=12345678"), at: F.t0 + .seconds(1))
        XCTAssertEqual(again.response.status, 409)
        XCTAssertEqual(again.refusal, .alreadySaved)
        XCTAssertNil(again.saved)

        XCTAssertEqual(portal.tick(at: F.t0 + .seconds(3)).notice, .rebootDue)
        XCTAssertEqual(portal.state, .closed)
        XCTAssertNil(portal.deadline)
        XCTAssertNil(portal.tick(at: F.t0 + .seconds(4)).notice, "the reboot is reported once")
    }

    func testClosedPortalAnswersGoneToEveryRequest() {
        var portal = F.portal()
        portal.close()
        for request in [F.get("/"), F.get("/scan"), F.get("/generate_204"), F.postForm("ssid=home&password=12345678")] {
            let reply = portal.handle(request, at: F.t0)
            XCTAssertEqual(reply.response.status, 410, request.path)
            XCTAssertEqual(reply.refusal, .closed, request.path)
            XCTAssertNil(reply.saved)
        }
    }

    func testJSONSaveAnswersJSON() throws {
        var portal = F.portal()
        let reply = portal.handle(F.postJSON(#"{"ssid":"cafe-open","password":""}"#), at: F.t0)
        XCTAssertEqual(reply.response.status, 200)
        XCTAssertEqual(reply.saved, try WiFiCredentials(validatingSSID: "cafe-open", password: ""))
        XCTAssertNil(reply.refusal)
        let body = try JSONReader().parse(reply.response.body)
        XCTAssertEqual(body["saved"], .bool(true))
        XCTAssertEqual(body["reboot_in_ms"]?.int64Value, 3000)
    }

    func testRebootDelayIsConfigurable() {
        var config = F.config
        config.rebootDelay = .milliseconds(500)
        var portal = CaptivePortal(config: config, networks: F.networks)
        _ = portal.handle(F.postForm("ssid=home&password=12345678"), at: F.t0)
        XCTAssertNil(portal.tick(at: F.t0 + .milliseconds(499)).notice)
        XCTAssertEqual(portal.tick(at: F.t0 + .milliseconds(500)).notice, .rebootDue)
    }

    func testLastFailureReasonIsShownOnThePageAndInScan() throws {
        var portal = F.portal(lastFailure: ProvisioningFailure(ssid: "home", reason: .authFailed, attempts: 3))
        let page = portal.handle(F.get("/"), at: F.t0).response.text
        XCTAssertTrue(page.contains("Could not join &quot;home&quot; after 3 attempts: wrong password"))
        XCTAssertTrue(page.contains("id=\"ssid\" name=\"ssid\" maxlength=\"32\" required value=\"home\""), "SSID re-filled")
        let scan = try JSONReader().parse(portal.handle(F.get("/scan"), at: F.t0).response.body)
        XCTAssertEqual(scan["last_failure"]?["reason"], .string("wrong password"))
        XCTAssertEqual(scan["last_failure"]?["attempts"]?.int64Value, 3)

        var missing = F.portal(lastFailure: ProvisioningFailure(ssid: "gone", reason: .noAPFound, attempts: 1))
        XCTAssertTrue(missing.handle(F.get("/"), at: F.t0).response.text
            .contains("Could not join &quot;gone&quot; after 1 attempt: network not found"))
    }

    func testFailureNoticeIsEscaped() {
        var portal = F.portal(lastFailure: ProvisioningFailure(ssid: F.hostileSSID, reason: .noAPFound, attempts: 2))
        let page = portal.handle(F.get("/"), at: F.t0).response.text
        XCTAssertFalse(page.contains("<script>alert"))
        XCTAssertTrue(page.contains("&quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot; after 2 attempts"))
    }
}
