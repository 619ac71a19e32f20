import Foundation
import XCTest
@testable import SimFleet

/// mqtts:// against a real mosquitto TLS listener with certificates made by the openssl CLI.
final class TLSBrokerTests: XCTestCase {
    private var dir = ""
    private var broker: Process?
    private var port = 0

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "simfleet-tls-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
                    "-subj", "/CN=simfleet test CA")
        try openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost")
        try "subjectAltName=DNS:localhost\n".write(toFile: dir + "/san.ext", atomically: true, encoding: .utf8)
        try openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem",
                    "-days", "2", "-extfile", "san.ext")
        port = EmbeddedBroker.freePort()
        let conf = """
            user \(EmbeddedBroker.currentUser)
            persistence false
            allow_anonymous true
            listener \(port) 127.0.0.1
            cafile \(dir)/ca.pem
            certfile \(dir)/server.pem
            keyfile \(dir)/server.key
            """
        try conf.write(toFile: dir + "/mosquitto.conf", atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: EmbeddedBroker.which("mosquitto")!)
        p.arguments = ["-c", dir + "/mosquitto.conf"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        broker = p
        awaitCondition("TLS listener up", timeout: 10) { EmbeddedBroker.accepts(port: port) }
    }

    override func tearDown() {
        broker?.terminate()
        broker?.waitUntilExit()
        try? FileManager.default.removeItem(atPath: dir)
    }

    private func openssl(_ args: String...) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "openssl \(args.joined(separator: " "))")
    }

    private func fleet(host: String) -> FleetConfiguration {
        var c = FleetConfiguration(devices: 4, heartbeatMs: 300, rampPerSecond: 100, durationSeconds: 1, reactors: 1)
        c.broker = BrokerChoice.parse("mqtts://\(host):\(port)", tls: TLSSettings(caFile: dir + "/ca.pem"))!
        c.observerUsername = "simfleet-observer"
        return c
    }

    func testDevicesConnectOverTLSWhenTheCertificateNamesTheHost() throws {
        let runner = FleetRunner(configuration: fleet(host: "localhost"))
        try runner.start()
        let report = runner.runToCompletion()
        XCTAssertEqual(report.connected, 4)
        XCTAssertTrue(report.brokerURL.hasPrefix("mqtts://"))
        XCTAssertGreaterThan(report.received, 0)
        XCTAssertEqual(report.received, report.sent)
    }

    func testHostnameVerificationRefusesACertificateForAnotherName() {
        // The certificate says "localhost"; connecting by address must fail verification.
        let runner = FleetRunner(configuration: fleet(host: "127.0.0.1"))
        XCTAssertThrowsError(try runner.start()) { error in
            guard case FleetError.observerNotSubscribed? = error as? FleetError else { return XCTFail("\(error)") }
        }
    }
}
