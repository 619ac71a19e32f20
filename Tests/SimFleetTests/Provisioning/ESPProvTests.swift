import DeviceCore
import Foundation
import XCTest
@testable import SimFleet

/// Espressif's own client, `esp_prov` from ESP-IDF v5.1.1 (`../shared/tools/esp-prov`), against a
/// simulated device over real HTTP on its loopback address, with a real mosquitto behind it.
/// `esp_prov` polls the status every 5 s, so each provisioning takes at least that long.
final class ESPProvTests: XCTestCase {
    static let tool = ESPFixtureFiles.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/tools/esp-prov/esp-prov")

    static let radio = SimulatedRadio(networks: [
        SimulatedNetwork(ssid: "home", password: "hunter22", rssi: -51, channel: 6),
        SimulatedNetwork(ssid: "office", password: "correct horse", rssi: -63, channel: 11),
    ])

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.tool.path) else {
            throw XCTSkip("Espressif's esp_prov is not at " + Self.tool.path + " (../shared beside the clone; see its README)")
        }
    }

    /// A device on `address`, unprovisioned, running the given provisioning settings.
    func device(_ address: IPv4Address, _ settings: ProvisioningSettings, lines: LineLog) throws -> SingleDeviceRunner {
        let provisioning = try settings.apply(to: ProvisioningConfig())
        let runner = SingleDeviceRunner(options: .init(apAddress: address, httpPort: 8080, dnsPort: 5353, radio: Self.radio,
                                                       heartbeatMs: 1000, provisioning: provisioning),
                                        log: { lines.append($0) })
        try runner.start()
        awaitCondition("access point up", timeout: 10) { runner.portal != nil }
        return runner
    }

    /// Runs esp_prov against `address:8080` with `args` and returns its exit status and output.
    func espProv(_ address: IPv4Address, _ args: [String]) throws -> ExternalTool.Result {
        try ExternalTool.run(Self.tool.path, ["--transport", "softap", "--service_name", address.text + ":8080"] + args, timeout: 120)
    }

    func assertComesOnline(_ runner: SingleDeviceRunner, file: StaticString = #filePath, line: UInt = #line) throws {
        let status = try Subscriber(broker: try XCTUnwrap(runner.broker), topic: "device/" + runner.deviceID + "/status")
        defer { status.stop() }
        awaitCondition("online on mosquitto", timeout: 20, file: file, line: line) {
            status.messages.contains { $0.payload.contains("\"state\":\"online\"") }
        }
        XCTAssertNil(runner.portal, "the access point is down", file: file, line: line)
    }

    func testSecurityOneWithTheReferencePresetProvisionsAndTheDeviceComesOnline() throws {
        let lines = LineLog()
        let address = IPv4Address(127, 20, 14, 11)
        let runner = try device(address, ProvisioningSettings(preset: "reference"), lines: lines)
        defer { runner.stop() }
        XCTAssertTrue(lines.contains("provisioning started with service name iot-ctrlr, security 1"))
        let run = try espProv(address, ["--sec_ver", "1", "--pop", "12345678", "--ssid", "home", "--passphrase", "hunter22"])
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("==== Session Established ===="), run.stdout)
        XCTAssertTrue(run.stdout.contains("==== Provisioning was successful ===="), run.stdout)
        try assertComesOnline(runner)
        XCTAssertFalse(lines.all.contains { $0.contains("hunter22") }, "the passphrase is never logged")
    }

    func testSecurityZeroProvisionsWithACustomEndpointAndTheCapabilityListSaysNoSec() throws {
        let lines = LineLog()
        let address = IPv4Address(127, 20, 14, 12)
        let runner = try device(address, ProvisioningSettings(scheme: "idf_softap", security: 0, customEndpoints: ["custom-data"]),
                                lines: lines)
        defer { runner.stop() }
        // Without --sec_ver esp_prov reads the level from the capabilities (`no_sec` → 0).
        let run = try espProv(address, ["--custom_data", "fleet-7", "--ssid", "home", "--passphrase", "hunter22"])
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("==== Security Scheme: 0 ===="), run.stdout)
        XCTAssertTrue(run.stdout.contains("CustomData response: b'SUCCESS'"), run.stdout)
        XCTAssertTrue(lines.contains("provisioning: custom-data received 7 bytes"))
        XCTAssertTrue(run.stdout.contains("==== Provisioning was successful ===="), run.stdout)
        try assertComesOnline(runner)
    }

    func testSecurityTwoWithUsernameAndPasswordProvisions() throws {
        let lines = LineLog()
        let address = IPv4Address(127, 20, 14, 13)
        let runner = try device(address, ProvisioningSettings(scheme: "idf_softap", security: 2, username: "wifiprov",
                                                              password: "abcd1234"), lines: lines)
        defer { runner.stop() }
        let run = try espProv(address, ["--sec_ver", "2", "--sec2_username", "wifiprov", "--sec2_pwd", "abcd1234",
                                        "--ssid", "home", "--passphrase", "hunter22"])
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("==== Provisioning was successful ===="), run.stdout)
        XCTAssertTrue(lines.contains("security 2 session established"))
        try assertComesOnline(runner)
    }

    func testWrongPoPAndWrongSRPPasswordFailTheSession() throws {
        let lines = LineLog()
        let sec1 = IPv4Address(127, 20, 14, 14)
        let runner = try device(sec1, ProvisioningSettings(preset: "reference"), lines: lines)
        defer { runner.stop() }
        let wrongPop = try espProv(sec1, ["--sec_ver", "1", "--pop", "00000000", "--ssid", "home", "--passphrase", "hunter22"])
        XCTAssertNotEqual(wrongPop.status, 0)
        XCTAssertTrue(wrongPop.stdout.contains("Failed to establish session"), wrongPop.stdout)
        XCTAssertTrue(lines.contains("refused: client proof does not match"))

        let sec2 = IPv4Address(127, 20, 14, 15)
        let runner2 = try device(sec2, ProvisioningSettings(scheme: "idf_softap", security: 2, username: "wifiprov",
                                                            password: "abcd1234"), lines: lines)
        defer { runner2.stop() }
        let wrongPassword = try espProv(sec2, ["--sec_ver", "2", "--sec2_username", "wifiprov", "--sec2_pwd", "abcd9999",
                                               "--ssid", "home", "--passphrase", "hunter22"])
        XCTAssertNotEqual(wrongPassword.status, 0)
        XCTAssertTrue(wrongPassword.stdout.contains("Failed to establish session"), wrongPassword.stdout)
        XCTAssertEqual(runner.state, .provisioning)
        XCTAssertEqual(runner2.state, .provisioning)
    }

    func testWrongPassphraseIsReportedAsTheDevicesReasonThenResetAndTheRightOneProvision() throws {
        let lines = LineLog()
        let address = IPv4Address(127, 20, 14, 16)
        let runner = try device(address, ProvisioningSettings(preset: "reference"), lines: lines)
        defer { runner.stop() }
        let sec = ["--sec_ver", "1", "--pop", "12345678"]
        let wrong = try espProv(address, sec + ["--ssid", "home", "--passphrase", "not-the-one"])
        XCTAssertTrue(wrong.stdout.contains("---- WiFi state: Connection Failed ----"), wrong.stdout)
        XCTAssertTrue(wrong.stdout.contains("---- Failure reason: Incorrect Password ----"), wrong.stdout)
        XCTAssertTrue(wrong.stdout.contains("---- Provisioning failed! ----"), wrong.stdout)
        XCTAssertTrue(lines.contains("join failed: AuthError"))

        let reset = try espProv(address, sec + ["--reset"])
        XCTAssertEqual(reset.status, 0, reset.stdout + reset.stderr)
        XCTAssertTrue(reset.stdout.contains("==== Reseting WiFi===="), reset.stdout)
        XCTAssertTrue(lines.contains("reset after a failed join"))

        let right = try espProv(address, sec + ["--ssid", "home", "--passphrase", "hunter22"])
        XCTAssertTrue(right.stdout.contains("==== Provisioning was successful ===="), right.stdout)
        try assertComesOnline(runner)
    }

    func testReprovTakesNewCredentialsWhenAutoStopIsOff() throws {
        let lines = LineLog()
        let address = IPv4Address(127, 20, 14, 17)
        let runner = try device(address, ProvisioningSettings(preset: "reference", autoStop: false), lines: lines)
        defer { runner.stop() }
        let sec = ["--sec_ver", "1", "--pop", "12345678"]
        let first = try espProv(address, sec + ["--ssid", "home", "--passphrase", "hunter22"])
        XCTAssertTrue(first.stdout.contains("==== Provisioning was successful ===="), first.stdout)
        XCTAssertEqual(runner.state, .provisioning, "auto-stop off: the service keeps running")

        let reprov = try espProv(address, sec + ["--reprov"])
        XCTAssertEqual(reprov.status, 0, reprov.stdout + reprov.stderr)
        XCTAssertTrue(reprov.stdout.contains("==== Reprovisioning WiFi===="), reprov.stdout)
        XCTAssertTrue(lines.contains("provisioning: re-provisioning"))

        let second = try espProv(address, sec + ["--ssid", "office", "--passphrase", "correct horse"])
        XCTAssertTrue(second.stdout.contains("==== Provisioning was successful ===="), second.stdout)
        XCTAssertTrue(lines.contains("joined \"office\""))
    }
}
