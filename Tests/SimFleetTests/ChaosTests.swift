import DeviceCore
import Foundation
import XCTest
@testable import SimFleet

/// scenarios/chaos.yaml at 200 devices (its long form is 2,000: scripts/chaos): three SIGKILLs of
/// the embedded mosquitto, the third while a rollout's downloads are in flight, and the origin
/// stalling 20% of the downloads mid-transfer, with a 3 s stall timeout so the run fits CI.
final class ChaosTests: XCTestCase {
    func testTheFleetSurvivesThreeBrokerKillsAndStalledDownloadsOnAValidImage() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scenarios/chaos.yaml").path
        var overrides = ScenarioOverrides(scale: 0.1)
        overrides.duration = .seconds(90)  // the timeline ends after about 60 s
        let scenario = overrides.apply(to: try ScenarioLoader.load(path: file))
        XCTAssertEqual(scenario.deviceCount, 200)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("chaos-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var options = ScenarioRun.Options(reportPath: dir.appendingPathComponent("chaos.json").path,
                                          htmlPath: dir.appendingPathComponent("chaos.html").path)
        options.stallTimeoutSeconds = 3
        let outcome = try ScenarioRun.execute(scenario, options: options)
        let report = outcome.report
        for line in outcome.verdict.lines() { print("chaos: " + line) }
        XCTAssertTrue(outcome.verdict.passed, outcome.verdict.lines().joined(separator: "\n"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: options.reportPath), "the report is written")

        XCTAssertEqual(report.brokerExits, 3)
        XCTAssertEqual(report.brokerRestarts, 3, "simfleet brought the broker back each time")
        XCTAssertEqual(report.onlineAtEnd, 200, "every device came back")
        XCTAssertEqual(report.versions, ["1.1.0": 200], "every device runs the new image")
        XCTAssertEqual(report.bricked, 0)
        XCTAssertEqual(report.rollbacks, 0)
        let ota = try XCTUnwrap(report.otaOutcomes)
        XCTAssertEqual(ota.committed, 200)
        XCTAssertEqual(ota.succeeded, 200, "every new image confirmed VALID: a valid image on every device")
        XCTAssertGreaterThan(report.originStats?.stalled ?? 0, 0, "downloads stalled mid-transfer and were resumed")
        // Every acknowledged heartbeat is received or listed as lost; nothing received was never sent.
        let acknowledged = report.sent - report.unacknowledged
        XCTAssertGreaterThanOrEqual(report.received + report.lost, acknowledged)
        XCTAssertLessThanOrEqual(report.received, report.sent)
        XCTAssertEqual(report.lostDetail.count, min(report.lost, 100))
        print("chaos: sent \(report.sent), received \(report.received), lost \(report.lost), unacknowledged \(report.unacknowledged), "
              + "stalled downloads \(report.originStats?.stalled ?? 0), duration \(report.durationSeconds) s")
    }
}
