import Foundation
import XCTest
@testable import SimFleet

/// Per-device TLS identities (`cert: certs/{id}.pem`, `key: certs/{id}.key`) against a mosquitto
/// that requires a client certificate and takes its CN as the username, with a CA, a revocation
/// list and a rogue CA made at test time by the openssl CLI.
final class TLSIdentityTests: XCTestCase {
    private var pki: TestPKI!
    private var broker: TestBroker!

    override func setUpWithError() throws {
        pki = try TestPKI()
        for id in ["tls-01", "tls-02", "tls-03", "simfleet-observer"] { try pki.client(id) }
        try pki.makeCA("rogue")
        try pki.client("tls-04", ca: "rogue")
        try pki.revoke("tls-03")
        broker = try TestBroker(extra: [
            "cafile \(pki.path("ca.pem"))", "certfile \(pki.path("server.pem"))", "keyfile \(pki.path("server.key"))",
            "require_certificate true", "use_identity_as_username true", "crlfile \(pki.path("crl.pem"))",
        ], anonymous: false)
    }

    override func tearDown() {
        broker?.stop()
    }

    private var templates: TLSSettings {
        TLSSettings(caFile: pki.path("ca.pem"), certFile: pki.path("certs/{id}.pem"), keyFile: pki.path("certs/{id}.key"))
    }

    func testEachDeviceConnectsWithItsOwnCertificateAndRevokedOrForeignOnesAreRefusedAndCounted() throws {
        var c = FleetConfiguration(devices: 4, heartbeatMs: 300, rampPerSecond: 100, durationSeconds: 4, reactors: 1, drainSeconds: 2)
        c.idTemplate = "tls-{n:02}"
        c.broker = BrokerChoice.parse("mqtts://localhost:\(broker.port)", tls: templates)!
        let runner = FleetRunner(configuration: c)
        try runner.start()
        let report = runner.runToCompletion()
        XCTAssertEqual(report.connected, 2, "tls-01 and tls-02")
        XCTAssertEqual(report.failed, 2, "tls-03 revoked, tls-04 from another CA")
        XCTAssertEqual(report.failures.map(\.device), ["tls-03", "tls-04"])
        for f in report.failures {
            XCTAssertGreaterThanOrEqual(f.attempts, 1, "it kept trying, and was refused every time")
            XCTAssertEqual(f.error, "connect_failed", "the broker ended the handshake: no session, counted")
        }
        XCTAssertGreaterThanOrEqual(report.errors["connect_failed"] ?? 0, 2)
        XCTAssertGreaterThan(report.received, 0)
        XCTAssertEqual(report.lost, 0)
    }

    func testAMissingPerDeviceCertificateIsASetupErrorNamingTheDevice() throws {
        var c = FleetConfiguration(devices: 5, durationSeconds: 1, reactors: 1)
        c.idTemplate = "tls-{n:02}"  // tls-05 has no certificate
        c.broker = BrokerChoice.parse("mqtts://localhost:\(broker.port)", tls: templates)!
        XCTAssertThrowsError(try FleetRunner(configuration: c).start()) { error in
            guard case FleetError.tls(let message)? = error as? FleetError else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("device tls-05"), message)
            XCTAssertTrue(message.contains("certs/tls-05.pem"), message)
        }
    }

    func testWithoutACAFileTheSystemTrustStoreDecides() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let binary = root.appendingPathComponent(".build/debug/simfleet")
        let args = ["run", "--devices", "2", "--duration", "2s", "--heartbeat", "300ms", "--id-template", "tls-{n:02}",
                    "--broker", "mqtts://localhost:\(broker.port)", "--cert", pki.path("certs/{id}.pem"),
                    "--key", pki.path("certs/{id}.key")]
        // OpenSSL's default verify paths honour SSL_CERT_FILE: with the test CA there, it is trusted.
        var env = ProcessInfo.processInfo.environment
        env["SSL_CERT_FILE"] = pki.path("ca.pem")
        let trusted = try ChildProcess.run(binary, args, environment: env, separateStderr: true)
        XCTAssertEqual(trusted.status, 0, trusted.stderr)
        XCTAssertTrue(trusted.output.contains("connected 2/2"), trusted.output)
        // The distribution's store does not know the test CA: verification fails, nothing connects.
        env["SSL_CERT_FILE"] = nil
        let untrusted = try ChildProcess.run(binary, args, environment: env, separateStderr: true)
        XCTAssertEqual(untrusted.status, 2, untrusted.output)
        XCTAssertTrue(untrusted.stderr.contains("observer could not subscribe"), untrusted.stderr)
    }
}
