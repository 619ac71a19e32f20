import DeviceCore
import Foundation
import NIOCore
import XCTest
@testable import SimFleet

/// Rollouts a backend drives (devices polling its manifest) and rollouts by command against a
/// broker simfleet does not run, with images from the local origin or a server of the backend.
final class BackendRolloutTests: XCTestCase {
    func testPollRolloutReachesEveryPollingDeviceWithoutACommand() throws {
        let run = try ScenarioStepRun("""
            name: poll
            seed: 4
            duration: 60s
            backend:
              embedded: true
              manifest: {poll: 2s, jitter: 1s}
            fleet:
              - name: field
                count: 6
                heartbeat: 1s
            firmware:
              - version: 1.1.0
                size: 32KB
            timeline:
              - after: all_online
                rollout: {version: 1.1.0, via: poll}
            """)
        awaitCondition("every device found 1.1.0 at a poll", timeout: 40) { run.versions().values.allSatisfy { $0 == "1.1.0" } }
        let report = run.finish()
        XCTAssertEqual(report.commands, 0, "no command: the devices' own polls found it")
        XCTAssertEqual(report.versions, ["1.1.0": 6])
        XCTAssertEqual(report.http[.firmware]?.requests, 6)
        XCTAssertGreaterThanOrEqual(report.http[.manifest]?.requests ?? 0, 6)
        XCTAssertEqual(report.plannedDisconnects["ota_reboot"], 6)
        XCTAssertEqual(report.errors["disconnected"], 0, "a reboot into an update is not an error")
    }

    func testCommandRolloutWorksAgainstABrokerSimfleetDoesNotRun() throws {
        let broker = try PlainBroker()
        defer { broker.stop() }
        let run = try ScenarioStepRun("""
            name: external
            seed: 9
            duration: 60s
            backend:
              broker: \(broker.url)
            fleet:
              - name: field
                count: 4
                heartbeat: 1s
            firmware:
              - version: 1.1.0
                size: 32KB
            timeline:
              - after: all_online
                rollout: {version: 1.1.0, cohort: all, via: mqtt}
            """)
        XCTAssertNil(run.runner.broker, "simfleet runs no broker of its own here")
        XCTAssertNotNil(run.runner.origin, "the firmware origin runs with any broker")
        awaitCondition("every device runs 1.1.0", timeout: 40) { run.versions().values.allSatisfy { $0 == "1.1.0" } }
        let report = run.finish()
        XCTAssertEqual(report.commands, 4)
        XCTAssertEqual(report.otaOutcomes?.succeeded, 4)
        XCTAssertEqual(report.plannedDisconnects["ota_reboot"], 4)
        XCTAssertEqual(report.errors["disconnected"], 0)
    }

    func testCommandRolloutCanNameAnImageOnTheBackendsOwnServer() throws {
        let image = AppImageBuilder.simple(chip: .esp32c6, version: "2.0.0", payload: [UInt8](repeating: 7, count: 20_000),
                                           hasher: OpenSSLSHA256.self)
        let digest = hexString(OpenSSLSHA256.digest(image))
        let server = try ScriptedHTTPServer { r in
            r.path == "/fw/2.0.0.bin" ? (.respond(status: 200, body: image), .zero) : (.respond(status: 404, body: []), .zero)
        }
        defer { server.stop() }
        let run = try ScenarioStepRun("""
            name: url
            seed: 2
            duration: 60s
            fleet:
              - name: field
                count: 3
                heartbeat: 1s
            timeline:
              - after: all_online
                rollout: {version: 2.0.0, url: '\(server.url("/fw/2.0.0.bin"))', sha256: \(digest), size: \(image.count)}
            """)
        awaitCondition("every device runs 2.0.0", timeout: 40) { run.versions().values.allSatisfy { $0 == "2.0.0" } }
        let report = run.finish()
        XCTAssertEqual(server.requests("/fw/2.0.0.bin"), 3)
        XCTAssertEqual(report.http[.firmware]?.statuses, [200: 3])
    }
}
