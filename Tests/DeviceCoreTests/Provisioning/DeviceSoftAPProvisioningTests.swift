import XCTest
@testable import DeviceCore

/// ESP-IDF's provisioning service inside a whole device: which scheme serves what on the access
/// point, credentials in NVS as the service says, the restart into station mode, and the device
/// online afterwards (security 0 here; the secure levels run in SimFleetTests with OpenSSL).
final class DeviceSoftAPProvisioningTests: XCTestCase {
    static let dnsQuery: [UInt8] = [0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0x61, 0, 0, 1, 0, 1]

    func unprovisioned(_ scheme: ProvisioningScheme, autoStop: Bool = true) -> (DeviceHarness, [Action]) {
        var config = DeviceHarness.config(wifi: nil)
        config.provisioning.scheme = scheme
        config.provisioning.softAP = SoftAPProvisioningConfig(security: .none, serviceName: "iot-ctrlr", autoStop: autoStop)
        var h = DeviceHarness(config: config)
        let boot = h.send(.powerOn(.powerOn, boot: DeviceHarness.boot))
        return (h, boot)
    }

    func post(_ h: inout DeviceHarness, _ path: String, _ body: [UInt8], id: UInt32) -> HTTPResponse? {
        h.send(.httpRequest(id: id, HTTPRequest(method: .post, path: path, body: body, connection: 1))).response(to: id)
    }

    func testIDFSoftAPAloneNamesTheAPAfterTheServiceAndServesNoPortalAndNoDNS() {
        var (h, boot) = unprovisioned(.idfSoftAP)
        XCTAssertTrue(boot.contains(.startAccessPoint(ssid: "iot-ctrlr", address: .softAPDefault)))
        XCTAssertFalse(boot.contains(.wifiScan), "the manager does not scan until a client asks")
        XCTAssertEqual(h.device.reportedState, .provisioning)
        XCTAssertEqual(h.request(.get, "/", id: 2)?.status, 404, "no portal page")
        XCTAssertEqual(h.request(.get, "/prov-session", id: 3)?.status, 405, "protocomm endpoints take POST")
        XCTAssertEqual(h.request(.get, "/version", id: 4)?.status, 200, "the firmware's own endpoints still answer")
        XCTAssertEqual(h.send(.dnsQuery(id: 5, Self.dnsQuery)), [.dnsRespond(id: 5, nil)], "no DNS hijack")
        XCTAssertEqual(post(&h, "/proto-ver", [0x2D], id: 6)?.status, 200)
    }

    func testBothSchemesShareTheServerThePortalKeepsGETAndDNSTheServiceTakesPOST() throws {
        var (h, boot) = unprovisioned(.both)
        XCTAssertTrue(boot.contains(.startAccessPoint(ssid: "iot-ctrlr", address: .softAPDefault)))
        XCTAssertTrue(boot.contains(.wifiScan), "the portal scans for its page")
        h.send(.wifi(.scanDone(PortalFixtures.networks)))
        XCTAssertEqual(h.send(.httpRequest(id: 2, PortalFixtures.get("/"))).response(to: 2)?.status, 200)
        XCTAssertEqual(h.request(.get, "/prov-session", id: 3)?.status, 302, "a GET on a service path is the portal's")
        guard case .dnsRespond(_, let answer?)? = h.send(.dnsQuery(id: 4, Self.dnsQuery)).first else { return XCTFail("no DNS answer") }
        XCTAssertFalse(answer.isEmpty)
        let session = post(&h, "/prov-session", SessionData(secVer: 0, payload: .sec0(Sec0Payload(msg: 0, body: .command))).encoded(), id: 5)
        XCTAssertEqual(session?.body, bytesFromHex("52050801aa0100"))
    }

    func testProvisionedThroughTheServiceTheDeviceRestartsIntoStationModeAndComesOnline() throws {
        var (h, _) = unprovisioned(.idfSoftAP)
        let setConfig = WiFiConfigPayload(msg: 2, body: .setConfig(ssid: Array("home".utf8), passphrase: Array("hunter22".utf8),
                                                                   bssid: [], channel: 0))
        XCTAssertEqual(post(&h, "/prov-config", setConfig.encoded(), id: 1)?.status, 200)
        XCTAssertEqual(post(&h, "/prov-config", WiFiConfigPayload(msg: 4, body: .applyConfig).encoded(), id: 2)?.status, 200)
        XCTAssertEqual(h.device.nvs.wifiCredentials, DeviceHarness.homeWiFi, "stored at ApplyConfig, as ESP-IDF does")
        XCTAssertTrue(h.device.nvs.wifiCredentialsUnconfirmed)
        XCTAssertEqual(h.tickAtDeadline()?.wifiConnects, 1, "the join a second later")
        h.send(.wifi(.connected(ip: DeviceHarness.stationIP, rssi: -50)))
        XCTAssertFalse(h.device.nvs.wifiCredentialsUnconfirmed, "the join confirmed them")
        XCTAssertEqual(h.device.reportedState, .provisioning, "still in AP mode until a client saw it")
        let status = post(&h, "/prov-config", WiFiConfigPayload(msg: 0, body: .getStatus).encoded(), id: 3)
        guard case .getStatusResponse(_, let state, _)? = try WiFiConfigPayload.decode(XCTUnwrap(status).body).body else {
            return XCTFail("no status")
        }
        XCTAssertEqual(state, ProvisionedStationState.connected.rawValue)
        let stop = try XCTUnwrap(h.tickAtDeadline())
        XCTAssertTrue(stop.contains(.stopAccessPoint))
        XCTAssertTrue(stop.containsReboot(.software))
        XCTAssertEqual(h.device.counters.provisioningSessions, 0, "security 0 has no handshake to count")

        let boot = h.send(.powerOn(.software, boot: DeviceHarness.boot))
        XCTAssertTrue(boot.contains(.wifiConnect(ssid: "home", password: "hunter22")))
        h.send(.wifi(.connected(ip: DeviceHarness.stationIP, rssi: -50)))
        h.send(.mqtt(.connected))
        XCTAssertEqual(h.device.reportedState, .online)
    }

    func testRefusalsAreCountedAndStationEventsGoToTheServiceOnlyInAPMode() {
        var (h, _) = unprovisioned(.idfSoftAP)
        XCTAssertEqual(post(&h, "/prov-config", [0xFF], id: 1)?.status, 500)
        XCTAssertEqual(h.device.counters.provisioningRefusals, 1)
        let ignored = h.send(.wifi(.connected(ip: DeviceHarness.stationIP, rssi: -50)))
        XCTAssertFalse(ignored.contains { if case .mqttConnect = $0 { return true } else { return false } },
                       "a stray join result in AP mode starts nothing")
        XCTAssertEqual(h.device.reportedState, .provisioning)
    }
}
