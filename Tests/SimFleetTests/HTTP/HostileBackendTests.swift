import DeviceCore
import Foundation
import NIOCore
import XCTest
@testable import SimFleet

/// A backend that answers slowly, with garbage, with redirect loops, with 10 GB bodies or with a
/// manifest whose fields are wrong or hostile: each device gets a counted, named error, the
/// reactors keep serving heartbeats, memory stays bounded and the run ends with its report.
final class HostileBackendTests: XCTestCase {
    static let garbage = Array("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n\u{0}\u{1}\u{2}not http at all\r\n\r\n".utf8)

    /// A fleet of `devices` on the embedded broker with the backend's API and manifest.
    func fleet(_ devices: Int, api: String? = nil, manifest: String? = nil) -> FleetConfiguration {
        var c = FleetConfiguration(devices: devices, heartbeatMs: 500, rampPerSecond: 200, seed: 8, durationSeconds: 120, reactors: 2)
        c.idTemplate = "h-{n:02}"
        c.api = api
        c.ota.manifestURL = manifest
        c.ota.manifestTimeoutSeconds = 2
        c.registration.timeoutSeconds = 1
        c.registration.backoffBase = .milliseconds(50)
        c.registration.backoffCap = .milliseconds(100)
        return c
    }

    /// The fleet kept heartbeating the whole time: nothing the backend did stalled a reactor.
    func assertHeartbeatsFlowed(_ report: FleetReport, line: UInt = #line) {
        XCTAssertGreaterThan(report.received, report.requested * 4, line: line)
        XCTAssertEqual(report.lost, 0, line: line)
        XCTAssertEqual(report.delivery, 1, accuracy: 0.0001, line: line)
        XCTAssertLessThan(report.e2eLatency.p99, 1000, "heartbeats were not held up", line: line)
    }

    func testHostileManifestsEndInNamedErrorsAndTheFleetKeepsHeartbeating() throws {
        let base = PortBox()
        let manifests = Counter()
        let server = try ScriptedHTTPServer { r in
            let url = { (path: String) in "http://127.0.0.1:\(base.port)" + path }
            switch r.path {
            case "/manifest.json":
                switch manifests.next() {
                case 1: return (.garbage(Self.garbage), .zero)
                case 2: return (.endless(announced: 10 << 30), .zero)
                case 3: return (.endless(announced: nil), .zero)
                case 4: return (.respond(status: 302, body: [], headers: [("Location", "/loop")]), .zero)
                case 5: return (.silence, .zero)
                case 6: return (.trickle(interval: .milliseconds(200)), .zero)
                case 7: return (.respond(status: 200, body: Array(#"{"version":12,"firmware_url":["http://x"]}"#.utf8)), .zero)
                case 8: return (.respond(status: 200, body: Array(#"{"version":"9.9.9","firmware_url":"file:///etc/passwd"}"#.utf8)), .zero)
                case 9: return (.respond(status: 200, body: Array(#"{"version":"9.9.9","firmware_url":"\#(url("/endless.bin"))"}"#.utf8)), .zero)
                default: return (.respond(status: 200, body: Array(#"{"version":"9.9.9","firmware_url":"\#(url("/huge.bin"))"}"#.utf8)), .zero)
                }
            case "/loop": return (.respond(status: 302, body: [], headers: [("Location", "/loop")]), .zero)
            case "/endless.bin": return (.endless(announced: nil), .zero)
            case "/huge.bin": return (.endless(announced: 10 << 30), .zero)
            default: return (.respond(status: 404, body: []), .zero)
            }
        }
        base.port = server.port
        defer { server.stop() }
        let runner = FleetRunner(configuration: fleet(10, manifest: server.url("/manifest.json")))
        try runner.start()
        awaitCondition("fleet online", timeout: 15) { runner.snapshot().online == 10 }
        runner.sendCommand(devices: Array(0..<10), payload: Array(#"{"action":"check"}"#.utf8))
        awaitCondition("ten manifest requests and two image requests ended", timeout: 30) {
            runner.httpStats()[.manifest]?.requests == 10 && runner.httpStats()[.firmware]?.requests == 2
        }
        usleep(1_500_000)  // heartbeats after the storm
        runner.requestStop()
        let report = runner.runToCompletion()

        let manifest = try XCTUnwrap(report.http[.manifest])
        XCTAssertEqual(server.requests("/manifest.json"), 10)
        XCTAssertEqual(manifest.errors, [.malformed: 1, .tooLarge: 2, .redirects: 1, .timeout: 2])
        XCTAssertEqual(manifest.redirects, server.requests("/loop"), "every hop of the loop was followed, then it stopped")
        XCTAssertLessThanOrEqual(server.requests("/loop"), 6)
        XCTAssertLessThan(manifest.bytesReceived, 256 * 1024, "a 10 GB manifest is not read")
        let firmware = try XCTUnwrap(report.http[.firmware])
        XCTAssertEqual(firmware.errors, [.aborted: 2], "each device gave its transfer up")
        XCTAssertLessThan(firmware.bytesReceived, 8 << 20, "an endless image is not read on")
        XCTAssertEqual(report.otaOutcomes?.refusedByKind, ["invalid_image": 1, "too_large": 1],
                       "endless bytes are no image; a 10 GB one is refused by its length")
        // What the devices made of the manifests, by name (file:// is refused before any request).
        XCTAssertEqual(report.otaOutcomes?.manifestChecks, 10)
        XCTAssertEqual(report.otaOutcomes?.manifestFailuresByKind,
                       ["download_failed": 5, "too_large": 1, "wrong_type": 1, "unsupported_url": 1])
        XCTAssertEqual(report.versions, ["1.0.0": 10], "nothing was installed")
        assertHeartbeatsFlowed(report)
    }

    func testHostileRegistrationAnswersEndInNamedErrorsRetriedWhereFirmwareWould() throws {
        let attempts = Counter()
        let server = try ScriptedHTTPServer { r in
            let id = (try? JSONReader().parse(r.body))?["device_code"]?.stringValue ?? ""
            switch id {
            case "h-01": return (.garbage(Self.garbage), .zero)
            case "h-02": return (.silence, .zero)
            case "h-03": return (.respond(status: 302, body: [], headers: [("Location", "/api/devices/register")]), .zero)
            case "h-04": return (.endless(announced: nil), .zero)
            case "h-05": return (.endless(announced: 10 << 30), .zero)
            case "h-06": return (.respond(status: attempts.next() == 1 ? 503 : 201, body: []), .zero)
            default: return (.respond(status: 201, body: []), .milliseconds(20))
            }
        }
        defer { server.stop() }
        var c = fleet(8, api: server.url("/api"))
        c.registration.retries = 1
        let runner = FleetRunner(configuration: c)
        try runner.start()
        awaitCondition("every device done registering", timeout: 30) {
            runner.snapshot().registered + runner.snapshot().registrationFailed == 8
        }
        usleep(1_000_000)
        runner.requestStop()
        let report = runner.runToCompletion()

        let register = try XCTUnwrap(report.http[.register])
        XCTAssertEqual(register.requests, server.requests("/api/devices/register"))
        XCTAssertEqual(register.errors, [.malformed: 2, .timeout: 2, .tooLarge: 2], "garbage and silence retried once; oversize not")
        XCTAssertEqual(register.statuses[302], 1, "a redirect is an answer, not followed and not retried")
        XCTAssertEqual(register.statuses[503], 1)
        XCTAssertEqual(register.retries, 3)
        XCTAssertEqual(report.registered, 3)
        XCTAssertEqual(report.registrationFailed, 5)
        assertHeartbeatsFlowed(report)
    }

    func testRegistrationOverTLSToAServerWithoutItIsATLSError() throws {
        let server = try ScriptedHTTPServer { _ in (.respond(status: 201, body: []), .zero) }
        defer { server.stop() }
        var c = fleet(2, api: "https://127.0.0.1:\(server.port)/api")
        c.registration.retries = 1
        let runner = FleetRunner(configuration: c)
        try runner.start()
        awaitCondition("every device gave up", timeout: 20) { runner.snapshot().registrationFailed == 2 }
        runner.requestStop()
        let report = runner.runToCompletion()
        XCTAssertEqual(report.http[.register]?.errors, [.tls: 4], "a handshake answered in plain text, retried once")
        XCTAssertEqual(server.requests("(tls)"), 4)
    }

    func testRegistrationAgainstAClosedPortIsRefusedAndRetriedWithBackoff() throws {
        let closed = EmbeddedBroker.freePort()
        var c = fleet(3, api: "http://127.0.0.1:\(closed)/api")
        c.registration.retries = 2
        let runner = FleetRunner(configuration: c)
        try runner.start()
        awaitCondition("every device gave up", timeout: 20) { runner.snapshot().registrationFailed == 3 }
        runner.requestStop()
        let report = runner.runToCompletion()
        XCTAssertEqual(report.http[.register]?.errors, [.refused: 9], "three tries each")
        XCTAssertEqual(report.http[.register]?.requests, 9)
        XCTAssertEqual(report.http[.register]?.retries, 6)
        XCTAssertEqual(report.connected, 3, "registration does not hold up the devices")
    }
}

/// Arrival numbers for a scripted server (1, 2, 3, …), thread-safe.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func next() -> Int { lock.withLock { n += 1; return n } }
}
