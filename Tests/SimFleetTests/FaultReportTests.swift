import DeviceCore
import Foundation
import XCTest
@testable import SimFleet

/// The report's per-fault timeline: computed from the reactors' session ledgers, written under
/// `faults` keyed by step name, judged by expectations, drawn in the HTML report.
final class FaultReportTests: XCTestCase {
    private func window(start: Int64, end: Int64?, devices: [Int]) -> FaultWindow {
        FaultWindow(step: 2, label: "outage", kind: "broker_outage", mode: "refuse", devices: devices, startMicros: start,
                    startSeconds: 10, endMicros: end, endSeconds: end.map { _ in 40 }, sentAtStart: 100, receivedAtStart: 100,
                    sentAtEnd: 100, receivedAtEnd: 100, queuedAtEnd: 3)
    }

    func testReconnectSpreadIsMeasuredFromTheEndOfTheFault() {
        var ledger = LinkLedger()
        let s: Int64 = 1_000_000_000, e = s + 30_000_000
        ledger.record(device: 0, up: false, at: s + 100)           // dropped by the fault
        ledger.record(device: 0, up: true, at: e + 2_000_000)      // back 2 s after it ended
        ledger.record(device: 1, up: false, at: s + 200)
        ledger.record(device: 1, up: true, at: e + 7_500_000)
        ledger.record(device: 2, up: false, at: s - 5_000_000)     // dropped before the fault: not its doing
        ledger.record(device: 2, up: true, at: s - 4_000_000)
        ledger.record(device: 3, up: false, at: s + 300)           // never came back
        ledger.record(device: 9, up: false, at: s + 300)           // not a target
        let impact = FaultImpact.compute(window(start: s, end: e, devices: [0, 1, 2, 3]), ledgers: [ledger])
        XCTAssertEqual(impact.disconnected, 3)
        XCTAssertEqual(impact.reconnected, 2)
        XCTAssertEqual(impact.neverReconnected, 1)
        XCTAssertEqual(impact.reconnectSeconds, [2, 7.5])
        XCTAssertNil(impact.allOnlineSeconds, "one device never came back")
        XCTAssertEqual(impact.percentile(0.5), 2)
        XCTAssertEqual(impact.percentile(0.99), 7.5)
    }

    func testAllOnlineIsTheLastReconnectAndAFaultStillInForceHasNone() {
        var ledger = LinkLedger()
        let s: Int64 = 5_000_000, e = s + 1_000_000
        ledger.record(device: 0, up: false, at: s + 10)
        ledger.record(device: 0, up: true, at: s + 500_000)    // back while it lasted: 0 s after
        ledger.record(device: 1, up: false, at: s + 20)
        ledger.record(device: 1, up: true, at: e + 1_250_000)
        let ended = FaultImpact.compute(window(start: s, end: e, devices: [0, 1]), ledgers: [ledger])
        XCTAssertEqual(ended.reconnectSeconds, [0, 1.25])
        XCTAssertEqual(ended.allOnlineSeconds, 1.25)
        let open = FaultImpact.compute(window(start: s, end: nil, devices: [0, 1]), ledgers: [ledger])
        XCTAssertEqual(open.disconnected, 2)
        XCTAssertTrue(open.reconnectSeconds.isEmpty)
        XCTAssertNil(open.allOnlineSeconds)
    }

    private func reportJSON() throws -> String {
        var ledger = LinkLedger()
        ledger.record(device: 0, up: false, at: 1_000_100)
        ledger.record(device: 0, up: true, at: 3_500_000)
        var r = FleetReport(configuration: FleetConfiguration(devices: 2), startedAt: Date(), durationSeconds: 60, brokerURL: "mqtt://b:1883",
                            embedded: false, snapshot: FleetSnapshot(), lost: 0, lostDetail: [], unacknowledged: 0,
                            connectLatency: LatencyRecorder(), e2eLatency: LatencyRecorder(), versions: [:], peakRSSBytes: 0,
                            cpuSeconds: 0, reactors: 1, budget: DescriptorBudget(softLimit: 100, hardLimit: 100, openAtStart: 0),
                            observerReconnects: 0, timeseries: Timeseries())
        r.faults = FaultImpact.compute([window(start: 1_000_000, end: 3_000_000, devices: [0, 1])], ledgers: [ledger])
        r.proxiedDevices = 2
        r.proxy = FaultProxyStats()
        return r.json()
    }

    func testFaultsAreKeyedByStepNameWithTheirFigures() throws {
        let json = try JSONSerialization.jsonObject(with: Data(try reportJSON().utf8)) as! [String: Any]
        let outage = try XCTUnwrap((json["faults"] as? [String: Any])?["outage"] as? [String: Any])
        XCTAssertEqual(outage["kind"] as? String, "broker_outage")
        XCTAssertEqual(outage["mode"] as? String, "refuse")
        XCTAssertEqual(outage["devices"] as? Int, 2)
        XCTAssertEqual(outage["disconnected"] as? Int, 1)
        XCTAssertEqual(outage["all_online_s"] as? Double, 0.5)
        XCTAssertEqual(outage["queued"] as? Int, 3)
        XCTAssertEqual((outage["reconnect_s"] as? [String: Any])?["p99"] as? Double, 0.5)
        let network = try XCTUnwrap(json["network"] as? [String: Any])
        XCTAssertEqual(network["proxied_devices"] as? Int, 2)
        XCTAssertEqual((network["proxy"] as? [String: Any])?["descriptors_per_device"] as? Int, 3)
        XCTAssertEqual((json["mqtt"] as? [String: Any])?["version"] as? String, "3.1.1")
    }

    func testExpectationsNameFaultFiguresAndShareOfTheFaultsDevices() throws {
        let report = try ReportDocument(bytes: Array(try reportJSON().utf8))
        func check(_ text: String) throws -> ExpectationResult {
            ExpectationEvaluator(report: report).evaluate(try ExpressionParser.expectation(text, at: SourcePosition(file: "t", line: 1, column: 1)))
        }
        XCTAssertTrue(try check("faults.outage.all_online_s <= 1s").passed)
        XCTAssertFalse(try check("faults.outage.all_online_s < 400ms").passed)
        XCTAssertTrue(try check("faults.outage.disconnected == 50%").passed, "a share of the fault's 2 devices")
        XCTAssertTrue(try check("faults.outage.reconnect_s.p99 <= 500ms").passed)
        XCTAssertFalse(try check("faults.other.disconnected == 0").passed, "a fault the run did not have is missing, never zero")
    }

    func testTheHTMLReportHasAFaultsSectionWithTheReconnectSpread() throws {
        let html = HTMLReport(report: try ReportDocument(bytes: Array(try reportJSON().utf8))).render()
        XCTAssertTrue(html.contains("<h2>Faults</h2>"))
        XCTAssertTrue(html.contains("<code>broker_outage</code> (refuse)"))
        XCTAssertTrue(html.contains("aria-label=\"Reconnect spread after outage\""))
    }
}
