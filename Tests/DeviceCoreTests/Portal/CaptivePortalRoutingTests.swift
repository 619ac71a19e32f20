import Foundation
import XCTest
@testable import DeviceCore

final class CaptivePortalRoutingTests: XCTestCase {
    typealias F = PortalFixtures

    func testEveryProbeURLRedirectsToThePortal() {
        let probes = ["/generate_204", "/gen_204", "/hotspot-detect.html", "/library/test/success.html",
                      "/connecttest.txt", "/ncsi.txt", "/redirect", "/canonical.html", "/success.txt",
                      "/check_network_status.txt"]
        XCTAssertEqual(ProbeURLs.paths, probes)
        let hosts = ["connectivitycheck.gstatic.com", "captive.apple.com", "www.msftconnecttest.com",
                     "detectportal.firefox.com", "nmcheck.gnome.org", "192.168.4.1"]
        for path in probes {
            for host in hosts {
                var portal = F.portal()
                let response = portal.handle(F.get(path, host: host), at: F.t0).response
                XCTAssertEqual(response.status, 302, path + " on " + host)
                XCTAssertEqual(response.header("Location"), "http://192.168.4.1/")
            }
        }
    }

    func testUnknownPathAndForeignHostLeadToThePortal() {
        var portal = F.portal()
        XCTAssertEqual(portal.handle(F.get("/wp-login.php"), at: F.t0).response.header("Location"), "http://192.168.4.1/")
        let foreign = portal.handle(F.get("/", host: "example.com"), at: F.t0).response
        XCTAssertEqual(foreign.status, 302)
        XCTAssertEqual(foreign.header("Location"), "http://192.168.4.1/")
        XCTAssertEqual(portal.handle(F.get("/", host: "192.168.4.1:80"), at: F.t0).response.status, 200, "port ignored")
        XCTAssertEqual(portal.handle(HTTPRequest(method: .get, path: "/"), at: F.t0).response.status, 200, "no Host is ours")
    }

    func testRedirectNamesConfiguredAddressAndPort() {
        var config = F.config
        config.address = IPv4Address(127, 20, 0, 5)
        config.httpPort = 8080
        var portal = CaptivePortal(config: config)
        XCTAssertEqual(portal.handle(F.get("/generate_204", host: "127.20.0.5"), at: F.t0).response.header("Location"),
                       "http://127.20.0.5:8080/")
        XCTAssertEqual(portal.handle(F.get("/", host: "127.20.0.5:8080"), at: F.t0).response.status, 200)
    }

    func testScanListsNetworksStrongestFirstWithBarsAndLock() throws {
        var portal = F.portal()
        let response = portal.handle(F.get("/scan"), at: F.t0).response
        XCTAssertEqual(response.header("Content-Type"), "application/json")
        let scan = try JSONReader().parse(response.body)
        guard case .array(let items)? = scan["networks"] else { return XCTFail("no networks array") }
        XCTAssertEqual(items.map { $0["ssid"]?.stringValue }, ["home", F.hostileSSID, "cafe-open"], "hidden SSID left out")
        XCTAssertEqual(items.map { $0["bars"]?.int64Value }, [4, 2, 1])
        XCTAssertEqual(items.map { $0["secure"]?.boolValue }, [true, true, false])
        XCTAssertEqual(scan["device_id"], .string("esp32c6-a1b2c3"))
    }

    func testHostileSSIDIsTextInPageAndEscapedInScanJSON() {
        var portal = F.portal()
        let page = portal.handle(F.get("/"), at: F.t0).response.text
        XCTAssertFalse(page.contains(F.hostileSSID))
        XCTAssertTrue(page.contains("<span class=\"ssid\">&lt;script&gt;alert(1)&lt;/script&gt;</span>"))
        let scan = portal.handle(F.get("/scan"), at: F.t0).response.text
        XCTAssertFalse(scan.contains("<"))
        XCTAssertTrue(scan.contains(#""ssid":"\u003cscript\u003ealert(1)\u003c/script\u003e""#))
    }

    func testPageShowsSignalBarsAndLockOnlyForSecuredNetworks() {
        var portal = F.portal()
        let page = portal.handle(F.get("/"), at: F.t0).response.text
        let rows = page.components(separatedBy: "<li ").dropFirst()
        XCTAssertEqual(rows.count, 3)
        XCTAssertTrue(rows[1].contains("cafe-open") == false && rows[1].contains("class=\"lock\""))
        XCTAssertTrue(rows[3].contains("cafe-open") && !rows[3].contains("class=\"lock\""))
        XCTAssertTrue(rows[1].contains("title=\"-50 dBm\">&#9602;&#9604;&#9606;&#9608;<"))
        XCTAssertEqual([-40, -55, -56, -67, -68, -75, -76, -85, -86, -100].map { signalBars(rssi: $0) },
                       [4, 4, 3, 3, 2, 2, 1, 1, 0, 0])
    }

    func testBrandingFilesReplaceTheBuiltInPageAndScanStillWorks() throws {
        let files = PortalFiles([("index.html", Array("<html>ACME setup</html>".utf8)),
                                 ("style.css", Array("body{color:red}".utf8))])
        var portal = F.portal(files: files)
        let page = portal.handle(F.get("/"), at: F.t0).response
        XCTAssertEqual(page.text, "<html>ACME setup</html>")
        let css = portal.handle(F.get("/style.css"), at: F.t0).response
        XCTAssertEqual(css.text, "body{color:red}")
        XCTAssertEqual(css.header("Content-Type"), "text/css; charset=utf-8")
        let scan = try JSONReader().parse(portal.handle(F.get("/scan"), at: F.t0).response.body)
        XCTAssertNotNil(scan["networks"])
        XCTAssertEqual(portal.handle(F.get("/missing.js"), at: F.t0).response.status, 302)
        XCTAssertTrue(portal.handle(F.postForm("ssid=home&password=12345678"), at: F.t0).saved != nil, "save still works")
    }

    func testWithoutBrandingStyleCSSIsNotInvented() {
        var portal = F.portal()
        XCTAssertEqual(portal.handle(F.get("/style.css"), at: F.t0).response.status, 302)
    }

    func testBodyOverTheLimitGets413EvenWhenTheHostCutIt() {
        var portal = F.portal()
        var request = F.postForm("ssid=home&password=12345678")
        request.declaredLength = 10_000
        let reply = portal.handle(request, at: F.t0)
        XCTAssertEqual(reply.response.status, 413)
        XCTAssertEqual(reply.refusal, .invalidRequest(.bodyTooLarge(limit: 512)))
        XCTAssertNil(reply.saved)
        XCTAssertEqual(portal.state, .serving(lastFailure: nil))
        let big = F.postForm("ssid=home&password=" + String(repeating: "a", count: 600))
        let bigReply = portal.handle(big, at: F.t0)
        XCTAssertEqual(bigReply.response.status, 413)
        XCTAssertEqual(bigReply.refusal, .invalidRequest(.bodyTooLarge(limit: 512)))
    }
}
