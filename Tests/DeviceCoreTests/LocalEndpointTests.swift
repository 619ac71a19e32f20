import XCTest
@testable import DeviceCore
import DeviceTestKit

final class LocalEndpointTests: XCTestCase {
    func online() -> DeviceHarness {
        var h = DeviceHarness()
        h.bootOnline(rssi: -63)
        return h
    }

    func testVersionReportsTheRunningFirmware() {
        var h = online()
        let response = h.request(.get, "/version")
        XCTAssertEqual(response?.status, 200)
        XCTAssertEqual(response?.header("Content-Type"), "application/json")
        XCTAssertEqual(response?.text, #"{"version":"1.0.0","project":"iot-controller"}"#)
    }

    func testInfoDescribesTheDevice() {
        var h = online()
        h.advance(by: .seconds(125))
        let info = h.request(.get, "/info")
        XCTAssertEqual(info?.status, 200)
        XCTAssertEqual(info?.text,
                       #"{"id":"esp32c6-a1b2c3","mac":"40:4c:ca:a1:b2:c3","chip":"ESP32-C6","firmware":"1.0.0","#
                       + #""project":"iot-controller","state":"online","uptime_s":125,"reset_reason":"poweron","#
                       + #""boot_count":1,"free_heap":\#(h.device.freeHeap),"rssi":-63,"ip":"192.168.1.57"}"#)
    }

    func testInfoBeforeWiFiHasNullAddressAndSignal() {
        var h = DeviceHarness()
        h.send(.powerOn(.external, boot: DeviceHarness.boot))
        let info = h.request(.get, "/info")?.json
        XCTAssertEqual(info?["ip"], .null)
        XCTAssertEqual(info?["rssi"], .null)
        XCTAssertEqual(info?["state"]?.stringValue, "connecting")
        XCTAssertEqual(info?["reset_reason"]?.stringValue, "ext")
    }

    func testRebootAnswersFirstThenRestartsAfterTheDelay() {
        for path in ["/reboot", "/restart"] {
            var h = online()
            let actions = h.send(.httpRequest(id: 4, HTTPRequest(method: .post, path: path, headers: [DeviceHarness.json])))
            XCTAssertEqual(actions.response(to: 4)?.status, 200)
            XCTAssertFalse(actions.containsReboot(.software), "the answer must leave before the restart")
            XCTAssertEqual(h.device.reportedState, .rebooting)
            XCTAssertEqual(h.device.nextDeadline, h.now + .milliseconds(500))
            let later = h.tickAtDeadline() ?? []
            XCTAssertEqual(later.last, .reboot(.software))
            XCTAssertTrue(h.device.mode.isOff)
        }
    }

    func testSecondRebootRequestKeepsTheFirstPromise() {
        var h = online()
        XCTAssertEqual(h.request(.post, "/reboot", id: 1)?.status, 200)
        let first = h.device.nextDeadline
        h.advance(by: .milliseconds(300))
        XCTAssertEqual(h.request(.post, "/restart", id: 2)?.status, 200)
        XCTAssertEqual(h.device.nextDeadline, first)
    }

    func testResetWiFiForgetsCredentialsAndNextBootProvisions() {
        var h = online()
        let response = h.request(.post, "/reset_wifi")
        XCTAssertEqual(response?.status, 200)
        XCTAssertNil(h.device.nvs.wifiCredentials)
        XCTAssertTrue(h.tickAtDeadline()?.containsReboot(.software) ?? false)
        let boot = h.send(.powerOn(.software, boot: DeviceHarness.boot))
        XCTAssertTrue(boot.contains(.startAccessPoint(ssid: "iot-ctrlr-A1B2C3", address: .softAPDefault)))
        XCTAssertEqual(boot.wifiConnects, 0)
        XCTAssertEqual(h.device.reportedState, .provisioning)
        XCTAssertEqual(h.device.nvs.bootCount, 2)
    }

    func testUpdateTurnsTheBodyIntoAnHTTPUpdateRequest() {
        var h = online()
        let digest = String(repeating: "ab", count: 32)
        let response = h.request(.post, "/update",
                                 body: #"{"url":"http://127.0.0.1:8080/fw.bin","version":"1.2.0","sha256":"\#(digest)","size":1024}"#)
        XCTAssertEqual(response?.status, 202)
        XCTAssertEqual(response?.text, #"{"status":"accepted","url":"http://127.0.0.1:8080/fw.bin","version":"1.2.0"}"#)
        XCTAssertTrue(h.log.contains(.startDownload(url: "http://127.0.0.1:8080/fw.bin", rangeStart: 0)))
        XCTAssertEqual(h.device.reportedState, .updating)
    }

    func testUpdateAcceptsAManifestCheckWhenAManifestIsConfigured() {
        var config = DeviceHarness.config()
        config.manifestURL = "http://127.0.0.1:8080/manifest.json"
        var h = DeviceHarness(config: config)
        h.bootOnline()
        XCTAssertEqual(h.request(.post, "/update", body: #"{"action":"check"}"#)?.status, 202)
        XCTAssertTrue(h.log.contains(.startDownload(url: "http://127.0.0.1:8080/manifest.json", rangeStart: 0)))
        var bare = online()
        let refused = bare.request(.post, "/update", body: #"{"action":"check"}"#)
        XCTAssertEqual(refused?.status, 400)
        XCTAssertEqual(refused?.json?["error"]?.stringValue, "no manifest URL configured")
    }

    func testTestUpdateIsForcedAndNeedsAURL() {
        var h = online()
        XCTAssertEqual(h.request(.post, "/test_update", body: #"{"url":"https://fw.example/a.bin"}"#)?.status, 202)
        let check = h.request(.post, "/test_update", body: #"{"action":"check"}"#)
        XCTAssertEqual(check?.status, 400)
        XCTAssertEqual(check?.json?["error"]?.stringValue, #"missing "url""#)
    }

    func testMalformedBodiesGet400WithAReason() {
        var h = online()
        let cases: [(String, String)] = [
            ("{", "malformed JSON: unexpected end of JSON"),
            ("", "malformed JSON: unexpected end of JSON"),
            ("[1]", "expected a JSON object"),
            (#"{"version":"1.2"}"#, #"missing "url""#),
            (#"{"url":42}"#, #""url" has the wrong type"#),
            (#"{"url":"ftp://x/y"}"#, "url must start with http:// or https://"),
            (#"{"url":"http://x/y","sha256":"abc"}"#, "sha256 must be 64 hexadecimal characters"),
            (#"{"url":"http://x/y","size":-1}"#, "size must not be negative"),
            (#"{"url":"http://x/y","url":"http://z"}"#, #"malformed JSON: duplicate key "url""#),
        ]
        for (body, reason) in cases {
            let response = h.request(.post, "/update", body: body)
            XCTAssertEqual(response?.status, 400, body)
            XCTAssertEqual(response?.json?["error"]?.stringValue, reason, body)
        }
        XCTAssertEqual(h.device.reportedState, .online, "bad input changes nothing")
    }

    func testUnknownPathIs404() {
        var h = online()
        let response = h.request(.get, "/admin")
        XCTAssertEqual(response?.status, 404)
        XCTAssertEqual(response?.json?["error"]?.stringValue, "no such endpoint")
    }

    func testWrongMethodIs405WithAllow() {
        var h = online()
        let expectations: [(HTTPMethod, String, String)] = [
            (.post, "/info", "GET"), (.delete, "/version", "GET"), (.post, "/scan", "GET"),
            (.get, "/reboot", "POST"), (.get, "/update", "POST"), (.put, "/reset_wifi", "POST"),
            (.get, "/test_update", "POST"), (.other("PATCH"), "/restart", "POST"),
        ]
        for (method, path, allow) in expectations {
            let response = h.request(method, path)
            XCTAssertEqual(response?.status, 405, path)
            XCTAssertEqual(response?.header("Allow"), allow, path)
        }
        XCTAssertEqual(h.device.reportedState, .online, "a GET /reboot does not reboot")
    }

    func testBodiesOverTheLimitAre413() {
        var h = online()
        let big = "{\"url\":\"http://x/" + String(repeating: "a", count: 4096) + "\"}"
        XCTAssertEqual(h.request(.post, "/update", body: big)?.status, 413)
        // The host cut the body but the client declared more than the limit.
        XCTAssertEqual(h.request(.post, "/update", body: "{", declaredLength: 1_000_000)?.status, 413)
        XCTAssertEqual(h.request(.post, "/update", body: #"{"url":"http://x/y","version":"2.0"}"#, declaredLength: 4096)?.status, 202)
    }

    func testEndpointsAnswerInProvisioningModeToo() {
        var h = DeviceHarness(config: DeviceHarness.config(wifi: nil))
        h.send(.powerOn(.powerOn, boot: DeviceHarness.boot))
        XCTAssertEqual(h.request(.get, "/version")?.status, 200)
        XCTAssertEqual(h.request(.get, "/info")?.json?["state"]?.stringValue, "provisioning")
        XCTAssertEqual(h.request(.get, "/nope")?.status, 302, "in AP mode unknown paths lead to the captive portal")
    }

    func testJSONBodiesInAnotherContentTypeAre415SoAWebPageCannotStartAnUpdate() {
        // A page anywhere on the web may POST text/plain, a form or multipart to the device without a
        // CORS preflight ("simple requests"); application/json needs one, which the device never grants.
        let body = #"{"url":"http://attacker.example/fw.bin"}"#
        for type in ["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                     "application/jsonp", nil] {
            var h = online()
            let response = h.request(.post, "/test_update", body: body, headers: type.map { [HTTPHeader("Content-Type", $0)] } ?? [])
            XCTAssertEqual(response?.status, 415, type ?? "no content type")
            XCTAssertEqual(response?.json?["error"]?.stringValue, "Content-Type must be application/json", type ?? "no content type")
            XCTAssertFalse(h.log.contains { if case .startDownload = $0 { return true } else { return false } }, type ?? "none")
            XCTAssertEqual(h.device.reportedState, .online)
        }
        for type in ["application/json", "Application/JSON; charset=utf-8", " application/json ;charset=UTF-8"] {
            var h = online()
            XCTAssertEqual(h.request(.post, "/test_update", body: body, headers: [HTTPHeader("content-type", type)])?.status, 202, type)
        }
    }

    func testPostsWithoutABodyNeedTheJSONContentTypeToo() {
        // fetch(url, {method: "POST", mode: "no-cors"}) sends no Content-Type at all, and is a simple request.
        for path in ["/reboot", "/restart", "/reset_wifi"] {
            var h = online()
            XCTAssertEqual(h.request(.post, path, headers: [])?.status, 415, path)
            XCTAssertEqual(h.request(.post, path, headers: [HTTPHeader("Content-Type", "application/x-www-form-urlencoded")])?.status, 415, path)
            XCTAssertNil(h.device.nextDeadline.flatMap { $0 <= h.now + .seconds(1) ? $0 : nil }, path + ": no restart promised")
            XCTAssertNotNil(h.device.nvs.wifiCredentials, path)
            XCTAssertEqual(h.request(.post, path)?.status, 200, path)
        }
    }

    func testDestructiveEndpointsAreNotServedOnTheOpenAccessPoint() {
        var h = DeviceHarness(config: DeviceHarness.config(wifi: nil))
        h.send(.powerOn(.powerOn, boot: DeviceHarness.boot))
        XCTAssertEqual(h.device.reportedState, .provisioning)
        for path in ["/reboot", "/restart", "/reset_wifi", "/update", "/test_update"] {
            let response = h.request(.post, path, body: #"{"url":"http://attacker.example/fw.bin"}"#)
            XCTAssertEqual(response?.status, 403, path)
            XCTAssertEqual(response?.json?["error"]?.stringValue, "not available on the provisioning access point", path)
        }
        XCTAssertNil(h.device.nextDeadline.flatMap { $0 <= h.now + .seconds(1) ? $0 : nil }, "no restart promised")
        XCTAssertFalse(h.log.contains { if case .startDownload = $0 { return true } else { return false } })
        XCTAssertEqual(h.request(.get, "/version")?.status, 200, "reading is harmless")
        XCTAssertEqual(h.device.reportedState, .provisioning)
    }

    func testAConfiguredTokenIsRequiredByEveryEndpointButVersion() {
        var config = DeviceHarness.config()
        config.localAPIToken = "s3cret-token"
        var h = DeviceHarness(config: config)
        h.bootOnline()
        XCTAssertEqual(h.request(.get, "/version")?.status, 200, "discovery stays open")
        for (method, path) in [(HTTPMethod.get, "/info"), (.get, "/scan"), (.post, "/reboot"), (.post, "/update")] {
            for auth in [nil, "Bearer wrong-token!", "Bearer s3cret-toke", "Basic s3cret-token", "Bearer s3cret-token "] {
                var headers = method == .post ? [DeviceHarness.json] : []
                if let auth { headers.append(HTTPHeader("Authorization", auth)) }
                let response = h.request(method, path, body: "{}", headers: headers)
                XCTAssertEqual(response?.status, 401, path + " with " + (auth ?? "no token"))
                XCTAssertEqual(response?.header("WWW-Authenticate"), "Bearer")
            }
        }
        XCTAssertEqual(h.device.reportedState, .online)
        let ok = h.request(.get, "/info", headers: [HTTPHeader("authorization", "bearer s3cret-token")])
        XCTAssertEqual(ok?.status, 200)
        XCTAssertEqual(h.request(.post, "/restart", headers: [DeviceHarness.json, HTTPHeader("Authorization", "Bearer s3cret-token")])?.status, 200)
    }
}
