import XCTest
@testable import DeviceCore
import DeviceTestKit

/// Provisioning at the device level: AP + portal + DNS, credentials to NVS, reboot into station
/// mode, and back to the portal when the new credentials keep failing.
final class DeviceProvisioningTests: XCTestCase {
    static let networks = PortalFixtures.networks

    func unprovisioned(_ tweak: (inout ProvisioningConfig) -> Void = { _ in }) -> DeviceHarness {
        var config = DeviceHarness.config(wifi: nil)
        tweak(&config.provisioning)
        var h = DeviceHarness(config: config)
        let boot = h.send(.powerOn(.powerOn, boot: DeviceHarness.boot))
        XCTAssertTrue(boot.contains(.startAccessPoint(ssid: "iot-ctrlr-A1B2C3", address: config.provisioning.address)))
        XCTAssertTrue(boot.contains(.wifiScan), "the portal scans for its network list")
        h.send(.wifi(.scanDone(Self.networks)))
        return h
    }

    func save(_ h: inout DeviceHarness, ssid: String, password: String) -> HTTPResponse? {
        let body = "ssid=" + ssid + "&password=" + password
        return h.send(.httpRequest(id: 9, PortalFixtures.postForm(body))).response(to: 9)
    }

    /// Reboots at the portal's deadline and powers on again; returns the power-on actions.
    func rebootIntoStation(_ h: inout DeviceHarness) -> [Action] {
        XCTAssertTrue(h.tickAtDeadline()?.containsReboot(.software) ?? false)
        return h.send(.powerOn(.software, boot: DeviceHarness.boot))
    }

    func testSavedCredentialsGoToNVSAndTheDeviceRebootsIntoStationModeAndComesOnline() {
        var h = unprovisioned()
        let page = h.send(.httpRequest(id: 1, PortalFixtures.get("/"))).response(to: 1)
        XCTAssertTrue(page?.text.contains("<span class=\"ssid\">home</span>") ?? false, "scan result shown")
        XCTAssertEqual(save(&h, ssid: "home", password: "hunter22")?.status, 200)
        XCTAssertEqual(h.device.nvs.wifiCredentials, WiFiCredentials(ssid: "home", password: "hunter22"))
        XCTAssertTrue(h.device.nvs.wifiCredentialsUnconfirmed)
        XCTAssertEqual(h.device.nextDeadline, h.now + .seconds(3), "the configured reboot delay")
        XCTAssertFalse(h.log.logLines.contains { $0.contains("hunter22") }, "the password is never logged")

        let boot = rebootIntoStation(&h)
        XCTAssertTrue(boot.contains(.wifiConnect(ssid: "home", password: "hunter22")))
        XCTAssertFalse(boot.contains { if case .startAccessPoint = $0 { return true } else { return false } })
        h.send(.wifi(.connected(ip: DeviceHarness.stationIP, rssi: -50)))
        XCTAssertFalse(h.device.nvs.wifiCredentialsUnconfirmed, "a join confirms them")
        h.send(.mqtt(.connected))
        XCTAssertTrue(h.device.isMQTTConnected)
        XCTAssertEqual(h.device.reportedState, .online)
    }

    func testWrongPasswordReopensThePortalAfterTheConfiguredAttemptsWithTheReason() throws {
        var h = unprovisioned()
        _ = save(&h, ssid: "home", password: "wrong-pass")
        _ = rebootIntoStation(&h)
        for attempt in 1...3 {
            let failed = h.send(.wifi(.connectFailed(.authFailed)))
            let reopened = failed.contains(.startAccessPoint(ssid: "iot-ctrlr-A1B2C3", address: .softAPDefault))
            XCTAssertEqual(reopened, attempt == 3, "attempt " + String(attempt))
            if attempt < 3 { XCTAssertEqual(h.tickAtDeadline()?.wifiConnects, 1) }
        }
        XCTAssertEqual(h.device.reportedState, .provisioning)
        XCTAssertNil(h.device.nextDeadline, "no station retries behind the portal's back")
        h.send(.wifi(.scanDone(Self.networks)))
        let page = try XCTUnwrap(h.send(.httpRequest(id: 2, PortalFixtures.get("/"))).response(to: 2)).text
        XCTAssertTrue(page.contains("Could not join &quot;home&quot; after 3 attempts: wrong password"))
        XCTAssertFalse(page.contains("wrong-pass"))

        XCTAssertEqual(save(&h, ssid: "home", password: "right-pass")?.status, 200)
        XCTAssertTrue(rebootIntoStation(&h).contains(.wifiConnect(ssid: "home", password: "right-pass")))
        h.send(.wifi(.connected(ip: DeviceHarness.stationIP, rssi: -50)))
        XCTAssertFalse(h.device.nvs.wifiCredentialsUnconfirmed)
    }

    func testMissingNetworkFallsBackAfterConfiguredAttempts() throws {
        var h = unprovisioned { $0.fallbackAfterFailedJoins = 2 }
        _ = save(&h, ssid: "gone", password: "whatever1")
        _ = rebootIntoStation(&h)
        h.send(.wifi(.connectFailed(.noAPFound)))
        h.tickAtDeadline()
        XCTAssertTrue(h.send(.wifi(.connectFailed(.noAPFound))).contains(.wifiDisconnect))
        h.send(.wifi(.scanDone([])))
        let scan = try XCTUnwrap(h.send(.httpRequest(id: 3, PortalFixtures.get("/scan"))).response(to: 3))
        XCTAssertEqual(scan.json?["last_failure"]?["reason"], .string("network not found"))
        XCTAssertEqual(scan.json?["last_failure"]?["attempts"]?.int64Value, 2)
    }

    func testConfirmedCredentialsNeverFallBackToThePortal() {
        var h = DeviceHarness()
        h.bootOnline()
        h.send(.wifi(.disconnected(.connectionLost)))
        for _ in 0..<10 {
            h.tickAtDeadline()
            XCTAssertFalse(h.send(.wifi(.connectFailed(.noAPFound))).contains(.wifiScan))
        }
        XCTAssertNotEqual(h.device.reportedState, .provisioning)
    }

    func testDNSQueriesGetTheConfiguredAPAddress() {
        var h = unprovisioned { $0.address = IPv4Address(127, 20, 0, 5) }
        let actions = h.send(.dnsQuery(id: 4, DNSResponderTests.query))
        guard case .dnsRespond(4, let reply?)? = actions.first else { return XCTFail("no DNS reply") }
        XCTAssertEqual(Array(reply[(reply.count - 4)...]), [127, 20, 0, 5])
    }

    func testProbeRedirectsAndLocalEndpointsAnswerInAPMode() {
        var h = unprovisioned { $0.address = IPv4Address(127, 20, 0, 5); $0.httpPort = 8080 }
        let probe = h.send(.httpRequest(id: 5, PortalFixtures.get("/generate_204", host: "connectivitycheck.gstatic.com")))
        XCTAssertEqual(probe.response(to: 5)?.header("Location"), "http://127.20.0.5:8080/")
        let version = h.send(.httpRequest(id: 6, PortalFixtures.get("/version", host: "127.20.0.5")))
        XCTAssertEqual(version.response(to: 6)?.json?["version"], .string("1.0.0"))
    }

    func testScanResultNobodyAskedForIsIgnoredInAPMode() {
        var h = unprovisioned()
        let actions = h.send(.wifi(.scanDone([])))
        XCTAssertEqual(actions.logLines.count, 1)
        XCTAssertTrue(actions.logLines[0].hasPrefix("ignored"))
        let page = h.send(.httpRequest(id: 1, PortalFixtures.get("/"))).response(to: 1)
        XCTAssertTrue(page?.text.contains(">home<") ?? false, "the list is kept")
    }
}
