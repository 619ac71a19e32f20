import DeviceCore
import Foundation
import XCTest
@testable import SimFleet

/// SimFleet's own provisioning client over real HTTP (libcurl, cookies, keep-alive) against a
/// simulated device on its loopback address, the way the `provision` step uses it.
final class ProvisioningClientHTTPTests: XCTestCase {
    static let radio = SimulatedRadio(networks: [
        SimulatedNetwork(ssid: "home", password: "hunter22", rssi: -51, channel: 6),
        SimulatedNetwork(ssid: "cafe", password: nil, rssi: -80, channel: 1),
    ])

    func device(_ address: IPv4Address, _ settings: ProvisioningSettings) throws -> SingleDeviceRunner {
        let runner = SingleDeviceRunner(options: .init(apAddress: address, httpPort: 8080, dnsPort: 5353, radio: Self.radio,
                                                       heartbeatMs: 1000,
                                                       provisioning: try settings.apply(to: ProvisioningConfig())),
                                        log: { _ in })
        try runner.start()
        awaitCondition("access point up", timeout: 10) { runner.portal != nil }
        return runner
    }

    func testSecurityOneOverHTTPScansProvisionsAndTheDeviceComesOnline() throws {
        let address = IPv4Address(127, 20, 14, 21)
        let runner = try device(address, ProvisioningSettings(preset: "reference"))
        defer { runner.stop() }
        let client = ProvisioningClient(transport: CurlProvisioningTransport(host: address.text, port: 8080),
                                        security: .proofOfPossession("12345678"))
        XCTAssertTrue(try client.protoVersion().contains("\"sec_ver\":\t1"))
        try client.establishSession()
        XCTAssertEqual(try client.scan().map(\.ssid), ["home", "cafe"])
        XCTAssertEqual(try client.provision(ssid: "home", passphrase: "hunter22"), .connected(ip: "10.0.0.2"))
        awaitCondition("online", timeout: 20) { runner.isOnline }
    }

    func testSecurityTwoOverHTTPReportsAMissingNetworkAsTheDevicesReason() throws {
        let address = IPv4Address(127, 20, 14, 22)
        let runner = try device(address, ProvisioningSettings(scheme: "idf_softap", security: 2, username: "wifiprov",
                                                              password: "abcd1234"))
        defer { runner.stop() }
        let client = ProvisioningClient(transport: CurlProvisioningTransport(host: address.text, port: 8080),
                                        security: .srp6a(username: "wifiprov", password: "abcd1234"))
        try client.establishSession()
        XCTAssertEqual(try client.provision(ssid: "elsewhere", passphrase: "whatever1"), .failed(.networkNotFound))
        XCTAssertEqual(try client.reset(), 0)
        XCTAssertEqual(try client.provision(ssid: "home", passphrase: "hunter22"), .connected(ip: "10.0.0.2"))
    }

    func testRefusalsArriveWithTheirCodeAndTheConnectionIsClosed() throws {
        let address = IPv4Address(127, 20, 14, 23)
        let runner = try device(address, ProvisioningSettings(preset: "reference"))
        defer { runner.stop() }
        let transport = CurlProvisioningTransport(host: address.text, port: 8080)
        let wrong = ProvisioningClient(transport: transport, security: .proofOfPossession("00000000"))
        XCTAssertThrowsError(try wrong.establishSession()) { error in
            XCTAssertEqual(error as? ProvisioningClientError, .http(status: 500,
                body: "client proof does not match (wrong proof of possession or password)\n", refusal: "proof_mismatch"))
        }
        XCTAssertThrowsError(try transport.post("prov-config", [1, 2, 3])) { error in
            XCTAssertEqual((error as? ProvisioningClientError)?.code, "session_not_established")
        }
        XCTAssertThrowsError(try transport.post("nope", [1])) { error in
            XCTAssertEqual(error as? ProvisioningClientError, .http(status: 404, body: "This URI does not exist\n", refusal: nil),
                           "httpd's own 404 for a path no handler has")
        }
        // After refusals on closed connections, a right client still provisions the device.
        let right = ProvisioningClient(transport: CurlProvisioningTransport(host: address.text, port: 8080),
                                       security: .proofOfPossession("12345678"))
        try right.establishSession()
        XCTAssertEqual(try right.provision(ssid: "home", passphrase: "hunter22"), .connected(ip: "10.0.0.2"))
    }
}
