import DeviceCore
import Foundation
import XCTest
@testable import SimFleet

/// Faults during fleet OTA: a corrupted download, a release that cannot reach the broker and a
/// power cut mid-download in virtual time (the scripted broker and origin, the backend's view of
/// the status topic); a dropped download resumed over real HTTP on sockets.
final class FleetOTAFaultTests: XCTestCase {
    func testCorruptedDownloadIsRefusedAndTheDeviceStaysOnItsVersion() throws {
        let fleet = try OTAFleet.virtualFleet(OTAFleet.options(releases: ["1.1.0"]))
        advance(fleet, until: "fleet online", limit: .seconds(15)) { fleet.snapshot().online == 5 }
        fleet.setOriginFaults(OriginFaults(corruptPercent: 100, seed: 3))
        try OTAFleet.install("1.1.0", on: fleet, devices: [2], sha256: false)
        advance(fleet, until: "the refusal on the status topic", limit: .seconds(20)) {
            fleet.statuses(of: 2).contains { $0["ota"]?["state"]?.stringValue == "failed" }
        }
        advance(fleet, until: "a later heartbeat, online without an ota object (reported once)", limit: .seconds(5)) {
            fleet.latestStatus(of: 2)?["state"]?.stringValue == "online" && fleet.latestStatus(of: 2)?["ota"] == nil
        }
        XCTAssertLessThanOrEqual(fleet.privateFlashBytes(), 5 * 64 + 4096,
                                 "the refused image is kept as the release plus its one corrupted sector")
        let report = fleet.finish()

        let all = fleet.statuses(of: 2)
        let failure = try XCTUnwrap(all.compactMap { $0["ota"] }.first { $0["state"]?.stringValue == "failed" })
        XCTAssertTrue(failure["error"]?.stringValue?.hasPrefix("invalid image: ") ?? false, "\(failure)")
        XCTAssertEqual(failure["version"]?.stringValue, "1.1.0")
        XCTAssertEqual(fleet.latestStatus(of: 2)?["fw"]?.stringValue, "1.0.0")
        XCTAssertEqual(all.filter { $0["ota"]?["state"]?.stringValue == "failed" }.count, 1, "reported once")
        XCTAssertEqual(report.originStats?.corrupted, 1)
        XCTAssertEqual(report.otaOutcomes?.refusedByKind, ["invalid_image": 1])
        XCTAssertEqual(report.versions, ["1.0.0": 5])
        XCTAssertEqual(report.imagesBooted, 0)
    }

    func testDeviceWhoseNewFirmwareCannotReachTheBrokerRollsBack() throws {
        var ota = OTAFleet.options(releases: ["1.2.0"])
        ota.brokenReleases = ["1.2.0"]
        ota.confirmWithinSeconds = 2
        let fleet = try OTAFleet.virtualFleet(ota)
        advance(fleet, until: "fleet online", limit: .seconds(15)) { fleet.snapshot().online == 5 }
        try OTAFleet.install("1.2.0", on: fleet, devices: [4])
        advance(fleet, until: "the rollback on the status topic", limit: .seconds(30)) {
            fleet.statuses(of: 4).contains { $0["ota"]?["state"]?.stringValue == "rolled_back" }
        }
        let report = fleet.finish()

        let all = fleet.statuses(of: 4)
        let rollback = try XCTUnwrap(all.compactMap { $0["ota"] }.first { $0["state"]?.stringValue == "rolled_back" })
        XCTAssertEqual(rollback["from"]?.stringValue, "1.2.0")
        XCTAssertEqual(rollback["reason"]?.stringValue, "unconfirmed")
        XCTAssertFalse(all.contains { $0["fw"]?.stringValue == "1.2.0" }, "1.2.0 never reached the broker")
        XCTAssertEqual(fleet.latestStatus(of: 4)?["fw"]?.stringValue, "1.0.0")
        XCTAssertEqual(report.imagesBooted, 1)
        XCTAssertEqual(report.rollbacks, 1)
        XCTAssertEqual(report.otaOutcomes?.committed, 1)
        XCTAssertEqual(report.otaOutcomes?.succeeded, 0, "never confirmed")
        XCTAssertEqual(report.versions, ["1.0.0": 5])
    }

    func testPowerCutMidDownloadBootsTheOldImageAndTheUpdateCanBeRetried() throws {
        let fleet = try OTAFleet.virtualFleet(devices: 2, OTAFleet.options(releases: ["1.1.0"], payload: 400_000))
        advance(fleet, until: "fleet online", limit: .seconds(15)) { fleet.snapshot().online == 2 }
        fleet.setOriginFaults(OriginFaults(rateLimitBytesPerSecond: 100_000))
        try OTAFleet.install("1.1.0", on: fleet, devices: [0])
        advance(fleet, until: "the download is under way", limit: .seconds(10)) {
            (fleet.latestStatus(of: 0)?["ota"]?["bytes"]?.int64Value ?? 0) > 50_000
        }
        fleet.powerCycle(devices: [0], offFor: .milliseconds(300))
        advance(fleet, until: "back on 1.0.0 after the power cut", limit: .seconds(10)) {
            let latest = fleet.latestStatus(of: 0)
            return latest?["state"]?.stringValue == "online" && latest?["reset_reason"]?.stringValue == "poweron"
                && latest?["boot_count"]?.int64Value == 2
        }
        XCTAssertEqual(fleet.latestStatus(of: 0)?["fw"]?.stringValue, "1.0.0", "otadata never pointed at the half-written slot")
        XCTAssertLessThanOrEqual(fleet.privateFlashBytes(), 2 * 64 + 4096,
                                 "the half-written slot was folded at boot into the release plus its last sector")
        fleet.setOriginFaults(.none)
        try OTAFleet.install("1.1.0", on: fleet, devices: [0])
        advance(fleet, until: "the retried update lands", limit: .seconds(15)) { fleet.latestStatus(of: 0)?["fw"]?.stringValue == "1.1.0" }
        let report = fleet.finish()
        XCTAssertEqual(report.bricked, 0)
        XCTAssertEqual(report.rollbacks, 0)
        XCTAssertEqual(report.versions, ["1.0.0": 1, "1.1.0": 1])
    }

    /// The one test here whose point is the wire: a real libcurl download from the embedded origin
    /// over HTTP, dropped and resumed with a Range header.
    func testDroppedDownloadResumesWithARangeRequestOverRealHTTP() throws {
        let runner = FleetRunner(configuration: OTAFleet.configuration(devices: 1, OTAFleet.options(releases: ["1.1.0"], payload: 300_000)))
        try runner.start()
        let status = try StatusLog(runner)
        defer { status.stop() }
        awaitCondition("online", timeout: 15) { runner.snapshot().online == 1 }
        let origin = try XCTUnwrap(runner.origin)
        origin.setFaults(OriginFaults(dropPercent: 100, seed: 4))
        try OTAFleet.install("1.1.0", on: runner, devices: [0])
        awaitCondition("the origin dropped the connection", timeout: 10) { origin.stats.dropped == 1 }
        origin.setFaults(.none)  // the device retries after 1 s
        let id = runner.deviceID(0)
        awaitCondition("installed after resuming", timeout: 15) { status.latest(id)?["fw"]?.stringValue == "1.1.0" }
        let report = runner.finish()
        XCTAssertEqual(report.originStats?.fullResponses, 1)
        XCTAssertEqual(report.originStats?.rangeResponses, 1, "the second request asked for the rest only")
        XCTAssertEqual(report.otaOutcomes?.succeeded, 1)
    }
}
