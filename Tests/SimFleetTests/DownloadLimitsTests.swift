import DeviceCore
import Foundation
import Glibc
import XCTest
@testable import SimFleet

/// Firmware downloads against servers of the test's own on real sockets: one that trickles a byte
/// at a time (inside every stall timer) meets the download deadline, and redirects cannot leave
/// HTTP(S) or step down from https.
final class DownloadLimitsTests: XCTestCase {
    private func fleet(deadlineSeconds: Double) throws -> FleetRunner {
        var c = FleetConfiguration(devices: 1, heartbeatMs: 1000, qos: 1, rampPerSecond: 100, seed: 2, durationSeconds: 60,
                                   reactors: 1, drainSeconds: 3)
        c.idTemplate = "dl-{n}"
        c.ota.downloadDeadlineSeconds = deadlineSeconds
        let runner = FleetRunner(configuration: c)
        try runner.start()
        awaitCondition("device online", timeout: 10) { runner.snapshot().online == 1 }
        return runner
    }

    private func refusals(_ runner: FleetRunner) -> [String: Int] {
        runner.inspectDevice(0) { d in Dictionary(d.counters.otaRefusalKinds.map { ($0.kind, $0.count) }, uniquingKeysWith: +) } ?? [:]
    }

    func testAServerTricklingBytesInsideTheStallTimeoutMeetsTheDownloadDeadline() throws {
        // A valid image's first bytes, one every 200 ms: the 30 s stall timer never fires.
        let image = AppImageBuilder.simple(chip: .esp32c6, version: "2.0.0", payload: [UInt8](repeating: 7, count: 50_000),
                                           hasher: OpenSSLSHA256.self)
        let trickle = try RawHTTPServer { client, _, server in
            guard RawHTTPServer.write(client, Array("HTTP/1.1 200 OK\r\nContent-Length: \(image.count)\r\n\r\n".utf8)) else { return }
            for byte in image where !server.isStopped {
                guard RawHTTPServer.write(client, [byte]) else { return }
                usleep(200_000)
            }
        }
        defer { trickle.stop() }
        let runner = try fleet(deadlineSeconds: 2)
        defer { runner.requestStop(); _ = runner.runToCompletion() }
        let started = Date()
        runner.sendCommand(devices: [0], payload: Array(#"{"version":"2.0.0","url":"http://127.0.0.1:\#(trickle.port)/fw.bin"}"#.utf8))
        awaitCondition("the download was abandoned at its deadline", timeout: 15) { self.refusals(runner)["download_deadline"] == 1 }
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 2, "not before the deadline")
        XCTAssertEqual(trickle.accepted, 1, "abandoned, not resumed")
        XCTAssertEqual(runner.runningVersions(devices: [0])[0], "1.0.0", "the device stays on its image")
        XCTAssertEqual(runner.inspectDevice(0) { $0.isUpdating }, false)
    }

    func testARedirectToAnotherProtocolIsNotFollowed() throws {
        // Something listening where the redirect points: it must never see a connection.
        let elsewhere = try RawHTTPServer { _, _, _ in }
        defer { elsewhere.stop() }
        let redirecting = try RawHTTPServer { client, _, _ in
            RawHTTPServer.write(client, Array(
                "HTTP/1.1 302 Found\r\nLocation: ftp://127.0.0.1:\(elsewhere.port)/fw.bin\r\nContent-Length: 0\r\n\r\n".utf8))
        }
        defer { redirecting.stop() }
        let runner = try fleet(deadlineSeconds: 600)
        defer { runner.requestStop(); _ = runner.runToCompletion() }
        runner.sendCommand(devices: [0], payload: Array(#"{"version":"2.0.0","url":"http://127.0.0.1:\#(redirecting.port)/fw.bin"}"#.utf8))
        awaitCondition("the redirect was answered", timeout: 10) { redirecting.accepted >= 1 && runner.snapshot().downloadsFailed >= 1 }
        sleep(1)
        XCTAssertEqual(elsewhere.accepted, 0, "ftp:// is not a protocol a firmware download may be redirected to")
        XCTAssertEqual(runner.runningVersions(devices: [0])[0], "1.0.0")
    }

    func testRedirectsFromHTTPSMayOnlyGoToHTTPS() {
        XCTAssertEqual(CurlMulti.redirectProtocols(for: "https://fw.example/a.bin"), "https")
        XCTAssertEqual(CurlMulti.redirectProtocols(for: "HTTPS://fw.example/a.bin"), "https")
        XCTAssertEqual(CurlMulti.redirectProtocols(for: "http://fw.example/a.bin"), "http,https")
    }

    func testDownloadLimitFlagsOutOfRangeExitTwo() throws {
        for (flag, value) in [("--download-deadline", "0s"), ("--download-deadline", "inf"), ("--download-deadline", "2d"),
                              ("--stall-timeout", "1h"), ("--stall-timeout", "nan")] {
            let run = try Simfleet.run(["run", "--devices", "1", flag, value])
            XCTAssertEqual(run.status, 2, flag + " " + value + ": " + run.output)
            XCTAssertTrue(run.output.contains(flag), run.output)
        }
    }
}
