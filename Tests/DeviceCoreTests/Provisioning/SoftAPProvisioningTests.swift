import XCTest
@testable import DeviceCore

/// ESP-IDF's provisioning manager behaviour, end to end on the service (security 0): credentials,
/// the delayed join, status with real states and reasons, reset, re-provisioning, scans, custom
/// endpoints, the httpd session rule, and refusals that change nothing.
final class SoftAPProvisioningTests: XCTestCase {
    func testProtoVersionIsESPIDFsFormattedDocumentWithSecurityAndCapabilities() throws {
        var h = SoftAPHarness()
        let r = try XCTUnwrap(h.post("/proto-ver", Array("---".utf8)).response)
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.text, "{\n\t\"prov\":\t{\n\t\t\"ver\":\t\"v1.1\",\n\t\t\"sec_ver\":\t0,\n\t\t\"cap\":\t[\"no_sec\", \"wifi_scan\"]\n\t}\n}")
        XCTAssertNotNil(r.header("Set-Cookie"), "the first request opens a session")

        var sec1 = SoftAPHarness(.reference)
        XCTAssertEqual(sec1.post("/proto-ver", [0x2D]).response?.text,
                       "{\n\t\"prov\":\t{\n\t\t\"ver\":\t\"v1.1\",\n\t\t\"sec_ver\":\t1,\n\t\t\"cap\":\t[\"wifi_scan\"]\n\t}\n}")
        var noPop = SoftAPHarness(SoftAPProvisioningConfig(security: .proofOfPossession(nil), serviceName: "x"))
        XCTAssertTrue(noPop.post("/proto-ver", [0x2D]).response?.text.contains("[\"no_pop\", \"wifi_scan\"]") ?? false)
    }

    func testAppliedCredentialsAreStoredJoinedAfterOneSecondAndReportedConnectedThenServiceStops() throws {
        var h = SoftAPHarness()
        XCTAssertEqual(h.openSession()?.body, bytesFromHex("52050801aa0100"))
        XCTAssertEqual(h.status()?.state, ProvisionedStationState.connecting.rawValue, "calloc'd state reads as connecting")
        XCTAssertEqual(h.setConfig("home", "hunter22"), success)
        let apply = h.post("/prov-config", WiFiConfigPayload(msg: 4, body: .applyConfig).encoded())
        XCTAssertEqual(apply.output.storage, .store(WiFiCredentials(ssid: "home", password: "hunter22")))
        XCTAssertEqual(h.service.phaseName, "join_scheduled")
        XCTAssertEqual(h.service.deadline, h.now + .seconds(1))
        XCTAssertEqual(h.status()?.state, ProvisionedStationState.connecting.rawValue)

        let join = try XCTUnwrap(h.tickAtDeadline())
        XCTAssertEqual(join.actions.filter { if case .wifiConnect = $0 { return true } else { return false } },
                       [.wifiConnect(ssid: "home", password: "hunter22")])
        let joined = h.send(.station(.connected(ip: IPv4Address(10, 0, 0, 2), rssi: -51)))
        XCTAssertEqual(joined.storage, .confirm)
        XCTAssertEqual(h.service.deadline, h.now + .seconds(30), "auto-stop timer")

        let status = try XCTUnwrap(h.status())
        XCTAssertEqual(status.state, ProvisionedStationState.connected.rawValue)
        guard case .connected(let c)? = status.detail else { return XCTFail("no connected state") }
        XCTAssertEqual(c.ip4Address, "10.0.0.2")
        XCTAssertEqual(c.ssid, Array("home".utf8))
        XCTAssertEqual(h.service.phaseName, "stopping", "a client that saw it connected ends provisioning")
        XCTAssertEqual(h.service.deadline, h.now + .seconds(1), "after the cleanup delay")
        XCTAssertEqual(h.status()?.state, ProvisionedStationState.connected.rawValue, "still answering while stopping")

        let stop = try XCTUnwrap(h.tickAtDeadline())
        XCTAssertTrue(stop.actions.contains(.stopAccessPoint))
        XCTAssertTrue(stop.restart)
        XCTAssertEqual(h.service.state, .stopped)
        XCTAssertEqual(h.post("/prov-config", [1]).response?.status, 404, "nothing is served after the stop")
    }

    func testWrongPassphraseReportsAuthErrorUntilResetThenRightOneProvisions() throws {
        var h = SoftAPHarness()
        _ = h.openSession()
        XCTAssertEqual(h.setConfig("home", "wrong-pass"), success)
        XCTAssertEqual(h.apply(), success)
        h.tickAtDeadline()
        h.send(.station(.connectFailed(.authFailed)))
        let failed = try XCTUnwrap(h.status())
        XCTAssertEqual(failed.state, ProvisionedStationState.connectionFailed.rawValue)
        XCTAssertEqual(failed.detail, .failReason(ProvisionedJoinFailure.authError.rawValue))
        XCTAssertNil(h.service.deadline, "a failure waits for the client")

        XCTAssertEqual(h.setConfig("home", "hunter22"), success, "SetConfig is accepted in any state")
        XCTAssertEqual(h.apply(), internalError, "but not ApplyConfig before a reset")
        let reset = h.post("/prov-ctrl", WiFiCtrlPayload.of(type: 1).encoded())
        XCTAssertEqual(reset.output.storage, .erase, "reset erases the stored station configuration")
        XCTAssertEqual(try WiFiCtrlPayload.decode(XCTUnwrap(reset.response).body).status, success)
        XCTAssertEqual(h.status()?.detail, .failReason(0), "the previous outcome is still reported")

        XCTAssertEqual(h.setConfig("home", "hunter22"), success)
        XCTAssertEqual(h.apply(), success)
        h.tickAtDeadline()
        h.send(.station(.connected(ip: IPv4Address(10, 0, 0, 2), rssi: -51)))
        XCTAssertEqual(h.status()?.state, ProvisionedStationState.connected.rawValue)
    }

    func testMissingNetworkReportsNetworkNotFoundAndOtherDropsRetryAtOnce() throws {
        var h = SoftAPHarness()
        _ = h.openSession()
        _ = h.setConfig("nowhere", "whatever1")
        _ = h.apply()
        h.tickAtDeadline()
        let retry = h.send(.station(.disconnected(.beaconTimeout)))
        XCTAssertTrue(retry.actions.contains(.wifiConnect(ssid: "nowhere", password: "whatever1")))
        XCTAssertEqual(h.status()?.state, ProvisionedStationState.connecting.rawValue)
        h.send(.station(.connectFailed(.noAPFound)))
        XCTAssertEqual(h.status()?.detail, .failReason(ProvisionedJoinFailure.networkNotFound.rawValue))
    }

    func testResetOutsideAFailureAndApplyWithoutConfigAreRefusedWithInternalError() {
        var h = SoftAPHarness()
        _ = h.openSession()
        XCTAssertEqual(h.ctrl(WiFiCtrlPayload.typeCmdCtrlReset), internalError)
        XCTAssertEqual(h.apply(), internalError, "no SetConfig yet")
        XCTAssertEqual(h.service.phaseName, "awaiting_credentials")
    }

    func testSetConfigChecksESPIDFsLengthLimits() {
        var h = SoftAPHarness()
        _ = h.openSession()
        XCTAssertEqual(h.setConfig(String(repeating: "s", count: 33), "hunter22"), invalidArgument)
        XCTAssertEqual(h.setConfig("home", String(repeating: "p", count: 64)), invalidArgument)
        XCTAssertEqual(h.setConfig(String(repeating: "s", count: 32), String(repeating: "p", count: 63)), success)
        let badBSSID = WiFiConfigPayload(msg: 2, body: .setConfig(ssid: Array("home".utf8), passphrase: [], bssid: [1, 2, 3, 4, 5],
                                                                  channel: 0))
        guard case .setConfigResponse(let status)? = h.config(badBSSID)?.body else { return XCTFail("no response") }
        XCTAssertEqual(status, invalidArgument)
    }

    func testReprovisioningNeedsAutoStopOffAndThenTakesNewCredentials() throws {
        var stopping = SoftAPHarness()
        _ = stopping.openSession()
        XCTAssertEqual(stopping.ctrl(WiFiCtrlPayload.typeCmdCtrlReprov), internalError, "auto-stop is on by default")

        var config = SoftAPProvisioningConfig(security: .none, serviceName: "iot-ctrlr")
        config.autoStop = false
        var h = SoftAPHarness(config)
        _ = h.openSession()
        _ = h.setConfig("home", "hunter22")
        _ = h.apply()
        h.tickAtDeadline()
        h.send(.station(.connected(ip: IPv4Address(10, 0, 0, 2), rssi: -51)))
        XCTAssertEqual(h.status()?.state, ProvisionedStationState.connected.rawValue)
        XCTAssertEqual(h.service.phaseName, "joined", "no auto-stop: still serving")
        XCTAssertNil(h.service.deadline)

        let reprov = h.post("/prov-ctrl", WiFiCtrlPayload.of(type: 3).encoded()).output
        XCTAssertTrue(reprov.actions.contains(.wifiDisconnect))
        XCTAssertNil(reprov.storage, "NVS keeps the old credentials")
        XCTAssertEqual(h.service.phaseName, "awaiting_credentials")
        XCTAssertEqual(h.setConfig("office", "correct horse"), success)
        XCTAssertEqual(h.apply(), success)
        h.tickAtDeadline()
        h.send(.station(.connected(ip: IPv4Address(10, 0, 0, 3), rssi: -40)))
        guard case .connected(let c)? = h.status()?.detail else { return XCTFail("not connected") }
        XCTAssertEqual(c.ssid, Array("office".utf8))
    }

    func testBlockingScanAnswersWhenTheRadioDoesAndResultsArePagedStrongestFirst() throws {
        var h = SoftAPHarness()
        _ = h.openSession()
        let start = h.scan(.scanStart(blocking: true, passive: false, groupChannels: 5, periodMs: 120), msg: 0)
        XCTAssertNil(start.0, "blocking: no answer before the scan ends")
        XCTAssertTrue(start.1.actions.contains(.wifiScan))
        let startID = h.nextID
        let networks = [ScannedNetwork(ssid: "weak", bssid: [2, 0, 0, 0, 0, 1], rssi: -80, channel: 1, auth: .open),
                        ScannedNetwork(ssid: "home", bssid: [2, 0, 0, 0, 0, 2], rssi: -50, channel: 6, auth: .wpa2PSK)]
        let done = h.send(.station(.scanDone(networks)))
        let answer = try XCTUnwrap(done.actions.response(to: startID))
        XCTAssertEqual(try WiFiScanPayload.decode(answer.body), WiFiScanPayload(msg: 1, body: .scanStartResponse))

        let status = try WiFiScanPayload.decode(XCTUnwrap(h.scan(.scanStatus, msg: 2).0).body)
        XCTAssertEqual(status.body, .scanStatusResponse(finished: true, resultCount: 2))
        let page = try WiFiScanPayload.decode(XCTUnwrap(h.scan(.scanResult(startIndex: 0, count: 2), msg: 4).0).body)
        guard case .scanResultResponse(let entries)? = page.body else { return XCTFail("no entries") }
        XCTAssertEqual(entries.map { $0.ssid }, [Array("home".utf8), Array("weak".utf8)])
        XCTAssertEqual(entries[0].auth, 3)
        XCTAssertEqual(entries[0].rssi, -50)
        let beyond = try WiFiScanPayload.decode(XCTUnwrap(h.scan(.scanResult(startIndex: 1, count: 5), msg: 4).0).body)
        XCTAssertEqual(beyond.status, internalError, "asking past the results is an error status")
        XCTAssertEqual(beyond.body, .scanResultResponse([WiFiScanPayload.Entry(ssid: Array("weak".utf8), channel: 1, rssi: -80,
                                                                               bssid: [2, 0, 0, 0, 0, 1], auth: 0)]))
    }

    func testNonBlockingScanReportsUnfinishedUntilTheRadioAnswersAndABlockingOneTimesOut() throws {
        var h = SoftAPHarness()
        _ = h.openSession()
        XCTAssertEqual(h.scan(.scanStart(blocking: false, passive: false, groupChannels: 0, periodMs: 0), msg: 0).0?.status, 200)
        let status = try WiFiScanPayload.decode(XCTUnwrap(h.scan(.scanStatus, msg: 2).0).body)
        XCTAssertEqual(status.body, .scanStatusResponse(finished: false, resultCount: 0))
        _ = h.scan(.scanStart(blocking: true, passive: false, groupChannels: 0, periodMs: 0), msg: 0)
        let waiting = h.nextID
        let timeout = try XCTUnwrap(h.tickAtDeadline())
        XCTAssertEqual(try WiFiScanPayload.decode(XCTUnwrap(timeout.actions.response(to: waiting)).body).status, internalError)
    }

    func testCustomEndpointGetsItsBytesAndAnswersItsReply() throws {
        var h = SoftAPHarness(SoftAPProvisioningConfig(security: .none, serviceName: "x",
                                                       customEndpoints: [CustomEndpoint(name: "custom-data")]))
        _ = h.openSession()
        let r = h.post("/custom-data", Array("hello".utf8))
        XCTAssertEqual(r.response?.text, "SUCCESS")
        XCTAssertEqual(r.output.customData?.endpoint, "custom-data")
        XCTAssertEqual(r.output.customData?.bytes, Array("hello".utf8))
        XCTAssertEqual(h.post("/other-data", [1]).response?.status, 404)
    }

    func testSessionFollowsTheCookieOrElseTheConnectionAndAnythingElseOpensANewOne() throws {
        var h = SoftAPHarness()
        h.connection = 5
        let first = try XCTUnwrap(h.post("/proto-ver", [0x2D]).response?.header("Set-Cookie"))
        XCTAssertTrue(first.hasPrefix("session="))
        h.cookie = nil
        XCTAssertNil(h.post("/proto-ver", [0x2D]).response?.header("Set-Cookie"), "same connection, no cookie: same session")
        h.cookie = first
        h.connection = 6
        XCTAssertNil(h.post("/proto-ver", [0x2D]).response?.header("Set-Cookie"), "the cookie carries it to a new connection")
        h.cookie = nil
        h.connection = 5
        let afterCookie = h.post("/proto-ver", [0x2D]).response?.header("Set-Cookie")
        XCTAssertNotNil(afterCookie, "once a cookie was seen, the socket no longer identifies the session")
        h.cookie = "session=1"
        let wrong = h.post("/proto-ver", [0x2D]).response?.header("Set-Cookie")
        XCTAssertNotNil(wrong, "a cookie of another session opens a new one")
        XCTAssertNotEqual(wrong, afterCookie)
        h.cookie = wrong! + "; theme=dark-and-long"
        h.connection = 99
        XCTAssertNotNil(h.post("/proto-ver", [0x2D]).response?.header("Set-Cookie"), "a header over 19 bytes reads as none")
    }

    func testRefusalsAnswerWithTheirStatusAndLeaveTheServiceAsItWas() throws {
        var h = SoftAPHarness()
        _ = h.openSession()
        _ = h.setConfig("home", "hunter22")
        let before = h.service
        let cases: [(String, [UInt8], HTTPMethod, SoftAPRefusal)] = [
            ("/nope", [1], .post, .unknownEndpoint("/nope")),
            ("/prov-config", [1], .get, .methodNotAllowed("/prov-config")),
            ("/prov-config", [], .post, .emptyBody),
            ("/prov-config", [UInt8](repeating: 0, count: 4097), .post, .bodyTooLarge(limit: 4096)),
            ("/prov-config", [0x0a, 0x05], .post, .malformed(endpoint: "prov-config", .truncated)),
            ("/prov-config", [0x08, 0x09], .post, .unknownCommand(endpoint: "prov-config", msg: 9)),
            ("/prov-config", [0x08, 0x02], .post, .missingPayload(endpoint: "prov-config", msg: 2)),
            ("/prov-scan", [0x08, 0x04], .post, .missingPayload(endpoint: "prov-scan", msg: 4)),
            ("/prov-ctrl", [0x08, 0x00], .post, .unknownCommand(endpoint: "prov-ctrl", msg: 0)),
            ("/prov-session", SessionData(secVer: 1, payload: nil).encoded(), .post, .securityVersionMismatch(expected: 0, got: 1)),
        ]
        for (path, body, method, refusal) in cases {
            let r = h.post(path, body, method: method)
            XCTAssertEqual(r.output.refusal, refusal, path)
            XCTAssertEqual(r.response?.status, refusal.httpStatus, path)
            XCTAssertEqual(r.response?.text, refusal.reason + "\n")
            XCTAssertEqual(r.response?.header("Connection"), refusal.httpStatus == 500 ? "close" : nil)
            XCTAssertEqual(h.service.state, before.state, path)
            XCTAssertEqual(h.service.pending, before.pending, path)
        }
        XCTAssertEqual(h.apply(), success, "the pending credentials survived every refusal")
    }
}
