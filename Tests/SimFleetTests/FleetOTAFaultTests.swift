import DeviceCore
import Foundation
import XCTest
@testable import SimFleet

/// Faults during fleet OTA on a real mosquitto and the embedded origin: a corrupted download, a
/// release that cannot reach the broker, a power cut mid-download.
final class FleetOTAFaultTests: XCTestCase {
    func testCorruptedDownloadIsRefusedAndTheDeviceStaysOnItsVersion() throws {
        let runner = FleetRunner(configuration: OTAFleet.configuration(OTAFleet.options(releases: ["1.1.0"])))
        try runner.start()
        let status = try StatusLog(runner)
        defer { status.stop() }
        awaitCondition("fleet online", timeout: 15) { runner.snapshot().online == 5 }
        runner.setOriginFaults(OriginFaults(corruptPercent: 100, seed: 3))
        let id = runner.deviceID(2)
        try OTAFleet.install("1.1.0", on: runner, devices: [2], sha256: false)
        awaitCondition("the refusal on the status topic", timeout: 20) {
            status.all(id).contains { $0["ota"]?["state"]?.stringValue == "failed" }
        }
        awaitCondition("a later heartbeat, online without an ota object (reported once)", timeout: 5) {
            status.latest(id)?["state"]?.stringValue == "online" && status.latest(id)?["ota"] == nil
        }
        XCTAssertLessThanOrEqual(runner.privateFlashBytes(), 5 * 64 + 4096,
                                 "the refused image is kept as the release plus its one corrupted sector")
        let report = runner.finish()

        let failure = try XCTUnwrap(status.all(id).compactMap { $0["ota"] }.first { $0["state"]?.stringValue == "failed" })
        XCTAssertTrue(failure["error"]?.stringValue?.hasPrefix("invalid image: ") ?? false, "\(failure)")
        XCTAssertEqual(failure["version"]?.stringValue, "1.1.0")
        XCTAssertEqual(status.latest(id)?["fw"]?.stringValue, "1.0.0")
        XCTAssertEqual(status.all(id).filter { $0["ota"]?["state"]?.stringValue == "failed" }.count, 1, "reported once")
        XCTAssertEqual(report.originStats?.corrupted, 1)
        XCTAssertEqual(report.otaOutcomes?.refusedByKind, ["invalid_image": 1])
        XCTAssertEqual(report.versions, ["1.0.0": 5])
        XCTAssertEqual(report.imagesBooted, 0)
    }

    func testDeviceWhoseNewFirmwareCannotReachTheBrokerRollsBack() throws {
        var ota = OTAFleet.options(releases: ["1.2.0"])
        ota.brokenReleases = ["1.2.0"]
        ota.confirmWithinSeconds = 2
        let runner = FleetRunner(configuration: OTAFleet.configuration(ota))
        try runner.start()
        let status = try StatusLog(runner)
        defer { status.stop() }
        awaitCondition("fleet online", timeout: 15) { runner.snapshot().online == 5 }
        let id = runner.deviceID(4)
        try OTAFleet.install("1.2.0", on: runner, devices: [4])
        awaitCondition("the rollback on the status topic", timeout: 30) {
            status.all(id).contains { $0["ota"]?["state"]?.stringValue == "rolled_back" }
        }
        let report = runner.finish()

        let rollback = try XCTUnwrap(status.all(id).compactMap { $0["ota"] }.first { $0["state"]?.stringValue == "rolled_back" })
        XCTAssertEqual(rollback["from"]?.stringValue, "1.2.0")
        XCTAssertEqual(rollback["reason"]?.stringValue, "unconfirmed")
        XCTAssertFalse(status.all(id).contains { $0["fw"]?.stringValue == "1.2.0" }, "1.2.0 never reached the broker")
        XCTAssertEqual(status.latest(id)?["fw"]?.stringValue, "1.0.0")
        XCTAssertEqual(report.imagesBooted, 1)
        XCTAssertEqual(report.rollbacks, 1)
        XCTAssertEqual(report.otaOutcomes?.committed, 1)
        XCTAssertEqual(report.otaOutcomes?.succeeded, 0, "never confirmed")
        XCTAssertEqual(report.versions, ["1.0.0": 5])
    }

    func testPowerCutMidDownloadBootsTheOldImageAndTheUpdateCanBeRetried() throws {
        let runner = FleetRunner(configuration: OTAFleet.configuration(devices: 2, OTAFleet.options(releases: ["1.1.0"], payload: 400_000)))
        try runner.start()
        let status = try StatusLog(runner)
        defer { status.stop() }
        awaitCondition("fleet online", timeout: 15) { runner.snapshot().online == 2 }
        runner.setOriginFaults(OriginFaults(rateLimitBytesPerSecond: 100_000))
        let id = runner.deviceID(0)
        try OTAFleet.install("1.1.0", on: runner, devices: [0])
        awaitCondition("the download is under way", timeout: 10) {
            (status.latest(id)?["ota"]?["bytes"]?.int64Value ?? 0) > 50_000
        }
        runner.powerCycle(devices: [0], offFor: .milliseconds(300))
        awaitCondition("back on 1.0.0 after the power cut", timeout: 10) {
            status.latest(id)?["state"]?.stringValue == "online" && status.latest(id)?["reset_reason"]?.stringValue == "poweron"
                && status.latest(id)?["boot_count"]?.int64Value == 2
        }
        XCTAssertEqual(status.latest(id)?["fw"]?.stringValue, "1.0.0", "otadata never pointed at the half-written slot")
        XCTAssertLessThanOrEqual(runner.privateFlashBytes(), 2 * 64 + 4096,
                                 "the half-written slot was folded at boot into the release plus its last sector")
        runner.setOriginFaults(.none)
        try OTAFleet.install("1.1.0", on: runner, devices: [0])
        awaitCondition("the retried update lands", timeout: 15) { status.latest(id)?["fw"]?.stringValue == "1.1.0" }
        let report = runner.finish()
        XCTAssertEqual(report.bricked, 0)
        XCTAssertEqual(report.rollbacks, 0)
        XCTAssertEqual(report.versions, ["1.0.0": 1, "1.1.0": 1])
    }

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
