import DeviceCore
import Foundation
import XCTest
@testable import SimFleet

/// A disconnect the device or the scenario chose is not an error: restarts into an update, restarts
/// asked for over the local API and injected power cycles are counted apart, in the JSON, the HTML
/// and the summary, while a connection the broker drops is still an error.
final class PlannedDisconnectTests: XCTestCase {
    func testRestartsAndPowerCyclesAreCountedApartFromErrors() throws {
        let runner = FleetRunner(configuration: OTAFleet.configuration(devices: 7, OTAFleet.options(releases: ["1.1.0"], payload: 40_000)))
        try runner.start()
        awaitCondition("fleet online", timeout: 15) { runner.snapshot().online == 7 }
        try OTAFleet.install("1.1.0", on: runner, devices: [0, 1, 2])
        runner.powerCycle(devices: [3, 4], offFor: .milliseconds(200))
        XCTAssertEqual(runner.localRequest(device: 5, HTTPRequest(method: .post, path: "/restart", headers: [HTTPHeader("Content-Type", "application/json")], body: []))?.status, 200)
        awaitCondition("updates done and everyone back", timeout: 30) {
            runner.runningVersions(devices: [0, 1, 2]).values.allSatisfy { $0 == "1.1.0" } && runner.snapshot().online == 7
                && runner.snapshot().plannedDisconnects.values.reduce(0, +) == 6
        }
        runner.dropConnections(devices: [6])  // the network, not the device: an error
        awaitCondition("device 6 back", timeout: 15) { runner.snapshot().reconnects >= 7 }
        let report = runner.finish()

        XCTAssertEqual(report.plannedDisconnects, ["ota_reboot": 3, "power_cycle": 2, "restart": 1, "power_cut": 0])
        XCTAssertEqual(report.errors["disconnected"], 1, "only the dropped connection")
        let json = try ReportDocument(bytes: Array(report.json().utf8))
        XCTAssertEqual(json.number(at: ["planned_disconnects", "total"]), 6)
        XCTAssertEqual(json.number(at: ["planned_disconnects", "ota_reboot"]), 3)
        XCTAssertEqual(json.number(at: ["errors", "disconnected"]), 1)
        XCTAssertTrue(report.summary().contains("disconnects planned 6 (ota_reboot=3 restart=1 power_cycle=2), unplanned 1"),
                      report.summary())
        let html = HTMLReport(report: try ReportDocument(bytes: Array(report.json().utf8))).render()
        XCTAssertTrue(html.contains("planned: <code>ota_reboot</code> (not an error)"))
    }
}
