import DeviceCore
import Foundation
import XCTest
@testable import SimFleet

/// The report's `timeline`: each step as it ran, so a `hold` is a named steady phase.
final class TimelinePhaseTests: XCTestCase {
    func testHoldIsReportedAsANamedPhaseWithItsSpan() throws {
        let scenario = try parseScenario("""
        name: phases
        duration: 6s
        fleet: [{count: 2, heartbeat: 1s}]
        timeline:
          - name: steady
            after: all_online
            hold: 2s
        """)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("phases-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let outcome = try ScenarioRun.execute(scenario, options: .init(reportPath: dir.appendingPathComponent("r.json").path,
                                                                        htmlPath: dir.appendingPathComponent("r.html").path))
        let phase = try XCTUnwrap(outcome.report.phases.first)
        XCTAssertEqual(phase.kind, "hold")
        XCTAssertEqual(phase.name, "steady")
        XCTAssertEqual(phase.endSeconds - phase.startSeconds, 2, accuracy: 0.3)
        let json = try String(contentsOf: dir.appendingPathComponent("r.json"), encoding: .utf8)
        XCTAssertTrue(json.contains(#""kind":"hold","name":"steady""#) || json.contains(#""kind": "hold""#), json)
        let html = try String(contentsOf: dir.appendingPathComponent("r.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("<em>steady</em>"))
    }
}
