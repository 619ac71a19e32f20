import DeviceCore
import Foundation
import NIOCore
import XCTest
@testable import SimFleet

/// A fleet against a backend written here (not simfleet's origin): registration answering a seeded
/// mix of 201 and 500 after a delay, a manifest in the reference format and an image it names by
/// another version than its app descriptor. The report's `http` figures must equal what the
/// backend counted, request for request.
final class BackendHTTPAccountingTests: XCTestCase {
    static let release = "v2025.03.25.155052"
    static let registerPath = "/api/devices/register"
    static let manifestPath = "/firmware/c6-wroom-1/manifest.json"
    static let imagePath = "/firmware/c6-wroom-1/firmware_2025.03.25.155052.bin"

    /// 201 or 500 by arrival number, seeded: the same run gives the same mix.
    static func registrationFails(_ number: Int) -> Bool {
        var rng = SeededRandom(seed: 0xBAC_CE17 &+ UInt64(number))
        return rng.next(upTo: 99) < 40
    }

    func backend(image: [UInt8]) throws -> ScriptedHTTPServer {
        let portBox = PortBox()
        let server = try ScriptedHTTPServer { request in
            switch request.path {
            case Self.registerPath:
                let failed = Self.registrationFails(request.number)
                return (.respond(status: failed ? 500 : 201,
                                 body: Array((failed ? #"{"error":"connect ECONNREFUSED 127.0.0.1:5432"}"# : #"{"ok":true}"#).utf8)),
                        .milliseconds(30))
            case Self.manifestPath:
                let manifest = #"{"version":"\#(Self.release)","firmware_url":"http://127.0.0.1:\#(portBox.port)\#(Self.imagePath)","released":"2025-03-25T15:50:52Z","notes":"backend-led"}"#
                return (.respond(status: 200, body: Array(manifest.utf8), headers: [("Content-Type", "application/json")]), .milliseconds(5))
            case Self.imagePath:
                return (.respond(status: 200, body: image, headers: [("Content-Type", "application/octet-stream")]), .zero)
            default:
                return (.respond(status: 404, body: Array("no".utf8)), .zero)
            }
        }
        portBox.port = server.port
        return server
    }

    func testReportCountsEveryRequestTheBackendSawByKindAndStatus() throws {
        let image = AppImageBuilder.simple(chip: .esp32c6, version: "b94e7f3-dirty", payload: [UInt8](repeating: 0xA5, count: 48_000),
                                           hasher: OpenSSLSHA256.self)
        let server = try backend(image: image)
        defer { server.stop() }
        var c = FleetConfiguration(devices: 12, heartbeatMs: 1000, rampPerSecond: 100, seed: 3, durationSeconds: 120, reactors: 2)
        c.idTemplate = "be-{n:02}"
        c.api = server.url("/api")
        c.registration.body = #"{"device_code":"{id}","mac":"{mac}","fw":"{fw}"}"#
        c.registration.headers = ["Authorization: Bearer {env:SIMFLEET_TEST_TOKEN}"]
        c.registration = try c.registration.resolvingEnvironment(["SIMFLEET_TEST_TOKEN": "t0ken"])
        c.registration.retries = 4
        c.registration.backoffBase = .milliseconds(50)
        c.registration.backoffCap = .milliseconds(400)
        c.ota.manifestURL = server.url(Self.manifestPath)
        c.ota.manifestPollSeconds = 2
        c.ota.manifestPollJitterSeconds = 1
        let runner = FleetRunner(configuration: c)
        try runner.start()
        awaitCondition("every device runs the manifest's release and is done registering", timeout: 60) {
            let s = runner.snapshot()
            return runner.versionCounts()[Self.release] == 12 && s.registered + s.registrationFailed == 12
        }
        usleep(2_500_000)  // a few more polls: up to date, nothing downloaded again
        runner.requestStop()
        let report = runner.runToCompletion()

        let register = try XCTUnwrap(report.http[.register])
        XCTAssertEqual(register.requests, server.requests(Self.registerPath), "request for request")
        XCTAssertEqual(register.statuses, server.statuses(Self.registerPath))
        let failed = server.statuses(Self.registerPath)[500] ?? 0
        XCTAssertGreaterThan(failed, 0, "the seeded mix answered some 500s")
        XCTAssertGreaterThan(server.statuses(Self.registerPath)[201] ?? 0, 0)
        XCTAssertEqual(register.retries, register.requests - 12, "every request after a device's first is a retry")
        XCTAssertEqual(register.statusClasses["5xx"], failed)
        XCTAssertEqual(register.errors, [:], "no transport errors")
        XCTAssertEqual(register.durationSummary.count, register.requests, "every answer timed")
        XCTAssertGreaterThanOrEqual(register.durationSummary.p50, 30, "the backend's 30 ms delay is in the latency")
        XCTAssertGreaterThanOrEqual(register.ttfbSummary.p50, 30)
        XCTAssertEqual(report.registered + report.registrationFailed, 12)
        XCTAssertEqual(report.registered, server.statuses(Self.registerPath)[201])

        let manifest = try XCTUnwrap(report.http[.manifest])
        XCTAssertEqual(manifest.requests, server.requests(Self.manifestPath))
        XCTAssertEqual(manifest.statuses, server.statuses(Self.manifestPath))
        XCTAssertGreaterThan(manifest.requests, 12, "devices kept polling after the update")

        let firmware = try XCTUnwrap(report.http[.firmware])
        XCTAssertEqual(firmware.requests, server.requests(Self.imagePath))
        XCTAssertEqual(firmware.requests, 12, "each device downloaded the image once: no re-download loop")
        XCTAssertEqual(firmware.statuses, [200: 12])
        XCTAssertGreaterThanOrEqual(firmware.bytesReceived, 12 * image.count)
        XCTAssertEqual(report.versions[Self.release], 12)

        // What the backend received: the templates, expanded per device.
        let registrations = server.all.filter { $0.path == Self.registerPath }
        XCTAssertTrue(registrations.allSatisfy { $0.headers["authorization"] == "Bearer t0ken" })
        let bodies = try registrations.map { try JSONReader().parse($0.body) }
        XCTAssertEqual(Set(bodies.compactMap { $0["device_code"]?.stringValue }), Set((1...12).map { String(format: "be-%02d", $0) }))
        XCTAssertTrue(bodies.allSatisfy { $0["fw"]?.stringValue == "1.0.0" && $0["mac"]?.stringValue?.count == 12 })

        // The same figures in the JSON report, for scripts and the expectation language.
        let document = try ReportDocument(bytes: Array(report.json().utf8))
        XCTAssertEqual(document.number(at: ["http", "register", "requests"]), Double(register.requests))
        XCTAssertEqual(document.number(at: ["http", "register", "status", "500"]), Double(failed))
        let results = ExpectationEvaluator(report: document).evaluate([
            try ExpressionParser.expectation(#"http.register.status["5xx"] == \#(failed)"#, at: .init(file: "t", line: 1, column: 1)),
            try ExpressionParser.expectation(#"http.firmware.status["200"] == 12"#, at: .init(file: "t", line: 1, column: 1)),
            try ExpressionParser.expectation("http.register.latency.p50 >= 30ms", at: .init(file: "t", line: 1, column: 1)),
            try ExpressionParser.expectation(#"http.manifest.errors["timeout"] == 0"#, at: .init(file: "t", line: 1, column: 1)),
            try ExpressionParser.expectation(#"fleet.version["v2025.03.25.155052"] >= 100%"#, at: .init(file: "t", line: 1, column: 1)),
        ])
        for r in results { XCTAssertTrue(r.passed, r.expression + " measured " + r.measured) }
    }
}

/// The server's port, known only once it listens (its script builds URLs with it).
final class PortBox: @unchecked Sendable {
    var port = 0
}
