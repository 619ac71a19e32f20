import DeviceCore
import Foundation
import XCTest
@testable import SimFleet

/// The defaults the docs list are the code's (`FleetDefaults`): docs/scenarios.md's tables and
/// docs/running-fleets.md's flags, read back and compared, so that a default changed in one place
/// and not the other fails here.
final class FleetDefaultsDocumentedTests: XCTestCase {
    func text(_ path: String) throws -> String {
        try String(contentsOf: packageRoot.appendingPathComponent(path), encoding: .utf8)
    }

    /// The last cell of the table row whose first cell is `` `key` ``, without backquotes.
    func lastCell(of key: String, in document: String, file: StaticString = #filePath, line: UInt = #line) -> String? {
        for row in document.split(separator: "\n") where row.hasPrefix("| `" + key + "` |") {
            let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            return cells.last?.replacingOccurrences(of: "`", with: "")
        }
        XCTFail("no row for " + key, file: file, line: line)
        return nil
    }

    /// `60s`, as the docs write whole seconds.
    func seconds(_ span: TimeSpan) -> String { String(span.microseconds / 1_000_000) + "s" }

    func testTheFleetGroupTableListsTheCodesDefaults() throws {
        let doc = try text("docs/scenarios.md")
        let groups = String(doc[doc.range(of: "## fleet groups")!.lowerBound...])
        XCTAssertEqual(lastCell(of: "heartbeat", in: groups), Units.format(FleetDefaults.heartbeat))
        XCTAssertEqual(lastCell(of: "qos", in: groups), String(FleetDefaults.qos))
        XCTAssertEqual(lastCell(of: "ramp", in: groups), String(Int(FleetDefaults.rampPerSecond)) + "/s")
        XCTAssertEqual(lastCell(of: "chip", in: groups), FleetDefaults.chip.idPrefix)
        XCTAssertEqual(lastCell(of: "firmware", in: groups), FleetDefaults.firmwareVersion)
        XCTAssertEqual(lastCell(of: "id", in: groups), FleetDefaults.idTemplate)
        XCTAssertEqual(lastCell(of: "provisioned", in: groups), String(FleetDefaults.provisioned))
        XCTAssertEqual(lastCell(of: "name", in: groups), FleetDefaults.groupName + " (one group) / groupN")
    }

    func testTheTopLevelAndSectionDefaultsAreTheCodes() throws {
        let doc = try text("docs/scenarios.md")
        let seedRow = doc.split(separator: "\n").first { $0.hasPrefix("| `seed` |") }.map(String.init) ?? ""
        XCTAssertTrue(seedRow.contains("| " + String(FleetDefaults.seed) + " |"), seedRow)
        let keepAlive = seconds(FleetDefaults.keepAlive)
        XCTAssertTrue(doc.contains("keepalive: " + Units.format(FleetLimits.keepAlive.lowerBound) + "…"
                                   + String(FleetLimits.keepAlive.upperBound.microseconds / 1_000_000) + "s (" + keepAlive + ")"),
                      "the mqtt section's keepalive")
        XCTAssertTrue(doc.contains("keepalive " + String(FleetDefaults.keepAlive.microseconds / 1_000_000) + " s"), "the top-level table")
        XCTAssertTrue(doc.contains("{port: 1…65535 (" + String(FleetDefaults.deviceHTTPPort) + "), pool: 127.X.0.0/16 ("
                                   + FleetDefaults.addressPool + ")}"), "device_http")
    }

    func testTheFlagsTableListsTheCodesDefaults() throws {
        let doc = try text("docs/running-fleets.md")
        func row(_ flag: String) -> String { doc.split(separator: "\n").first { $0.hasPrefix("| `" + flag + "` |") }.map(String.init) ?? "" }
        XCTAssertTrue(row("--devices").contains("default " + String(FleetDefaults.devices)), row("--devices"))
        XCTAssertTrue(row("--duration").contains("default " + seconds(FleetDefaults.steady)), row("--duration"))
        XCTAssertTrue(row("--heartbeat").contains("default " + Units.format(FleetDefaults.heartbeat)), row("--heartbeat"))
        XCTAssertTrue(row("--qos").contains("default " + String(FleetDefaults.qos)), row("--qos"))
        XCTAssertTrue(row("--ramp").contains("default " + String(Int(FleetDefaults.rampPerSecond)) + "/s"), row("--ramp"))
        XCTAssertTrue(row("--seed").contains("default " + String(FleetDefaults.seed)), row("--seed"))
        XCTAssertTrue(row("--id-template").contains("default `" + FleetDefaults.idTemplate + "`"), row("--id-template"))
        XCTAssertTrue(row("--timer-tick").contains("default " + String(FleetDefaults.timerTickMs) + "ms"), row("--timer-tick"))
    }
}
