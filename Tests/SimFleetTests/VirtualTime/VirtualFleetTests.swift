import DeviceCore
import DeviceTestKit
import Foundation
import XCTest
@testable import SimFleet

/// The virtual-time engine itself: delivery accounting, the report's schema, threads, sampling.
final class VirtualFleetTests: XCTestCase {
    func fleet(devices: Int, minutes: Double, heartbeat: Int64 = 10_000, threads: Int = 1) throws -> VirtualFleet {
        var c = FleetConfiguration(devices: devices, heartbeatMs: heartbeat, qos: 1, rampPerSecond: 100, seed: 3,
                                   durationSeconds: minutes * 60)
        c.ota.modelFlash = true
        return try VirtualFleet(configuration: c, options: .init(threads: threads))
    }

    func testEveryHeartbeatOfAVirtualFleetIsAcknowledgedReceivedAndAccountedFor() throws {
        let report = try fleet(devices: 50, minutes: 10).run()
        XCTAssertEqual(report.connected, 50)
        XCTAssertEqual(report.onlineAtEnd, 50)
        XCTAssertEqual(report.sent, report.received)
        XCTAssertEqual(report.unacknowledged, 0)
        XCTAssertEqual(report.lost, 0)
        // A retained "online" status, then one heartbeat every 10 s for 10 minutes after coming up.
        XCTAssertGreaterThanOrEqual(report.sent, 50 * 60)
        XCTAssertLessThanOrEqual(report.sent, 50 * 61 + 50)
        XCTAssertEqual(report.observedIDs.count, 50)
        XCTAssertEqual(report.e2eLatency.p50, 1, accuracy: 0.01, "the modelled one-way latency")
    }

    func testAnHourOfVirtualTimeTakesSecondsAndSaysHowFastItWent() throws {
        let started = Date()
        let report = try fleet(devices: 20, minutes: 60).run()
        XCTAssertLessThan(Date().timeIntervalSince(started), 60)
        let v = try XCTUnwrap(report.virtualTime)
        XCTAssertEqual(v.simulatedSeconds, 3600.2, accuracy: 0.5)
        XCTAssertGreaterThan(v.simulatedPerWallSecond, 60)
        XCTAssertEqual(v.heartbeats, report.sent)
        XCTAssertEqual(report.durationSeconds, v.simulatedSeconds)
    }

    func testLongRunsSampleCoarserSoTheReportStaysSmall() throws {
        let report = try fleet(devices: 5, minutes: 120).run()
        XCTAssertEqual(report.timeseriesIntervalSeconds, 12, "two hours in at most 600 samples")
        XCTAssertLessThanOrEqual(report.timeseries.t.count, 600)
        let json = try JSONReader(maxBytes: 1 << 24).parse(Array(report.json().utf8))
        XCTAssertEqual(json["timeseries"]?["interval_s"]?.int64Value, 12)
        guard case .array(let t)? = json["timeseries"]?["t"] else { return XCTFail("no timeseries.t") }
        XCTAssertEqual(t.prefix(2).compactMap(\.int64Value), [12, 24])
    }

    func testTheReportHasEveryKeyOfASocketRunsReport() throws {
        let example = try JSONReader(maxBytes: 1 << 24).parse(Array(FileManager.default.contents(
            atPath: packageRoot() + "/docs/example-report.json")!))
        let report = try fleet(devices: 3, minutes: 1).run()
        let virtual = try JSONReader(maxBytes: 1 << 24).parse(Array(report.json().utf8))
        let missing = keyPaths(example).subtracting(keyPaths(virtual)).filter { !$0.hasPrefix("expectations") && !$0.hasPrefix("shard") }
        XCTAssertEqual(missing, [], "keys a socket run's report has and a virtual one lacks")
        XCTAssertNotNil(virtual["simulator"]?["virtual_time"]?["simulated_per_wall_s"])
    }

    func testOneThreadOrTwoGiveTheSameRun() throws {
        let text = otaScenario(count: 12, """
          - after: all_online
            firmware_fault: {kind: corrupt, downloads: 25%, version: 1.1.0}
          - device_fault: {kind: power_loss_during_flash, devices: 2}
          - rollout: {version: 1.1.0, cohort: all}
          - wait: 10s
          - device_fault: {kind: power_cycle, devices: 3, off: 2s}
          - network_fault: {kind: disconnect_storm, over: 1s}
          - broker_restart: {down: 3s}
        """)
        func run(_ threads: Int) throws -> (FleetReport, [Int: String], [DeviceCounters]) {
            let r = try VirtualStepRun(text, threads: threads)
            r.fleet.advance(to: r.fleet.end)
            let counters = (0..<12).map { r.fleet.inspectDevice($0) { $0.counters }! }
            return (r.finish(), r.versions(), counters)
        }
        let (one, v1, c1) = try run(1)
        let (two, v2, c2) = try run(2)
        XCTAssertEqual(two.reactors, 2)
        XCTAssertEqual(v1, v2)
        XCTAssertEqual(c1, c2)
        XCTAssertEqual([one.sent, one.received, one.reconnects, one.rollbacks, one.powerCutsDuringFlash],
                       [two.sent, two.received, two.reconnects, two.rollbacks, two.powerCutsDuringFlash])
        XCTAssertEqual(one.otaOutcomes, two.otaOutcomes)
        XCTAssertEqual(one.originStats, two.originStats)
        XCTAssertEqual(one.errors, two.errors)
        XCTAssertGreaterThan(one.otaOutcomes?.refused ?? 0, 0, "the faults bit")
    }

    func testTheObserversFastParseReadsWhatTheGeneralParserReads() throws {
        let base = Heartbeat(id: "esp32c6-a1b2c3", firmware: "1.0.0", state: .online, uptimeSeconds: 125, rssi: -58,
                             freeHeap: 239_104, resetReason: .powerOn, bootCount: 3, seq: 5,
                             timestamp: Instant(microseconds: 1_764_396_125_000_123))
        var withOTA = base
        withOTA.ota = .object([JSONMember("state", .string("downloading")), JSONMember("bytes", .int(4096))])
        var noSignal = base
        noSignal.rssi = nil
        noSignal.seq = 1_234_567
        noSignal.bootCount = 0
        for heartbeat in [base, withOTA, noSignal] {
            let payload = heartbeat.encodedBytes()
            let fast = try XCTUnwrap(HeartbeatFields(statusPayload: payload))
            let general = try XCTUnwrap(HeartbeatFields(payload: payload))
            XCTAssertEqual(fast, general, String(decoding: payload, as: UTF8.self))
            XCTAssertEqual(fast.timestampMicros, 1_764_396_125_000_123)
        }
        XCTAssertNil(HeartbeatFields(statusPayload: Array(#"{"state":"offline"}"#.utf8)))
    }

    func testTheObserversFastParseRefusesWhatTheGeneralParserRefuses() {
        let head = #"{"id":"esp32c6-a1b2c3","fw":"1.0.0","state":"online","uptime_s":125,"rssi":-58,"free_heap":239104,"#
            + #""reset_reason":"power_on","#
        let tails = [
            #""boot_count":3,"seq":0,"ts":1764396125000.123}"#,  // seq starts at 1
            #""boot_count":3,"seq":4294967296,"ts":1764396125000.123}"#,  // past the MQTT message id range
            #""boot_count":2147483648,"seq":5,"ts":1764396125000.123}"#,  // the key would not be positive
            #""boot_count":3,"seq":5,"ts":1764396125000123456789012345.5}"#,  // microseconds overflow
            #""boot_count":3,"seq":5,"ts":1764396125000.}"#,  // a dot without decimals
            #""boot_count":3,"seq":1234567890123456789,"ts":1764396125000.123}"#,  // more than 18 digits
            #""boot_count":3,"seq":5,"ts":1764396125000.123456}"#,  // more decimals: cut, as the general parser does
            #""boot_count":3,"seq":5,"ts":1764396125000}"#,  // no decimals
            #""boot_count":3,"seq":5,"ts":.5}"#,
        ]
        for tail in tails {
            let payload = Array((head + tail).utf8)
            XCTAssertEqual(HeartbeatFields(statusPayload: payload), HeartbeatFields(payload: payload), tail)
        }
        XCTAssertNil(HeartbeatFields(statusPayload: Array((head + tails[0]).utf8)))
    }

    func keyPaths(_ value: JSONValue, prefix: String = "") -> Set<String> {
        guard case .object(let members) = value else { return [] }
        var out: Set<String> = []
        for m in members {
            let path = prefix.isEmpty ? m.key : prefix + "." + m.key
            out.insert(path)
            out.formUnion(keyPaths(m.value, prefix: path))
        }
        return out
    }
}

/// The package root (tests read files of the repository).
func packageRoot(file: String = #filePath) -> String {
    var url = URL(fileURLWithPath: file)
    while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
        url.deleteLastPathComponent()
    }
    return url.path
}
