import DeviceCore
import Foundation
import XCTest
@testable import SimFleet

/// OTA end to end on a real mosquitto (the first test: OTA commands over MQTT, images over HTTP
/// from the embedded firmware origin with libcurl on the reactors, status as a `mosquitto_sub` of
/// `device/+/status` sees it), and the manifest and signature logic in virtual time.
final class FleetOTATests: XCTestCase {
    func testCohortDownloadsVerifiesRebootsAndComesBackOnTheNewVersion() throws {
        let runner = FleetRunner(configuration: OTAFleet.configuration(OTAFleet.options(releases: ["1.1.0"], payload: 300_000)))
        try runner.start()
        let status = try StatusLog(runner)
        defer { status.stop() }
        awaitCondition("fleet online", timeout: 15) { runner.snapshot().online == 5 }
        runner.setOriginFaults(OriginFaults(rateLimitBytesPerSecond: 250_000))  // progress shows in heartbeats
        let cohort = [1, 3].map(runner.deviceID)
        try OTAFleet.install("1.1.0", on: runner, devices: [1, 3])
        awaitCondition("cohort online on 1.1.0", timeout: 30) {
            cohort.allSatisfy { status.latest($0)?["fw"]?.stringValue == "1.1.0" && status.latest($0)?["state"]?.stringValue == "online" }
        }
        XCTAssertLessThanOrEqual(runner.privateFlashBytes(), 5 * 64, "at rest every device holds only otadata; images are shared")
        let report = runner.finish()

        XCTAssertEqual(report.versions, ["1.0.0": 3, "1.1.0": 2])
        XCTAssertEqual(report.imagesBooted, 2)
        XCTAssertEqual(report.rollbacks, 0)
        XCTAssertEqual(report.otaOutcomes, OTAOutcomes(started: 2, committed: 2, succeeded: 2, refused: 0, refusedByKind: [:]))
        let section = try ReportDocument(bytes: Array(report.json().utf8)).value(at: ["ota"])
        XCTAssertEqual(section?["succeeded"]?.int64Value, 2)
        XCTAssertEqual(section?["rolled_back"]?.int64Value, 0)
        XCTAssertEqual(report.originStats?.fullResponses, 2)
        for id in cohort {
            let states = status.all(id).compactMap { $0["state"]?.stringValue }
            XCTAssertTrue(states.contains("updating") && states.contains("rebooting"), "\(id): \(states)")
            let progress = status.all(id).compactMap { $0["ota"] }.filter { $0["state"]?.stringValue == "downloading" }
            XCTAssertFalse(progress.isEmpty, "\(id) reported download progress")
            XCTAssertTrue(progress.allSatisfy { $0["total"]?.int64Value == Int64(try! runner.firmware!.image("1.1.0").bytes.count) })
            XCTAssertEqual(status.all(id).last { $0["fw"]?.stringValue == "1.1.0" }?["reset_reason"]?.stringValue, "sw",
                           "the new version came up after a software reset")
        }
        for id in [0, 2, 4].map(runner.deviceID) {
            XCTAssertFalse(status.all(id).contains { $0["state"]?.stringValue == "updating" }, "\(id) was not in the cohort")
        }
    }

    func testManifestCheckCommandInstallsAReleasePublishedDuringTheRun() throws {
        let fleet = try OTAFleet.virtualFleet(devices: 2, OTAFleet.options(releases: []))
        advance(fleet, until: "fleet online", limit: .seconds(15)) { fleet.snapshot().online == 2 }
        try fleet.publishRelease("v1.1.0")
        fleet.sendCommand(devices: [0], payload: Array(#"{"action":"check"}"#.utf8))
        advance(fleet, until: "device 0 on v1.1.0", limit: .seconds(20)) { fleet.latestStatus(of: 0)?["fw"]?.stringValue == "v1.1.0" }
        let report = fleet.finish()
        XCTAssertEqual(report.versions, ["1.0.0": 1, "v1.1.0": 1])
        XCTAssertEqual(report.originStats?.requests, 2, "manifest.json, then the image")
    }

    func testSignedFleetInstallsItsSignedReleaseAndRefusesAForeignSignature() throws {
        try ESPFixtureFiles.require()
        var ota = OTAFleet.options(releases: ["1.1.0"], payload: 100_000)
        ota.signingKeyPath = ESPFixtureFiles.path("signing/keys/rsa3072_a.pem")
        let fleet = try OTAFleet.virtualFleet(devices: 2, ota)
        advance(fleet, until: "fleet online (Secure Boot on, factory image signed)", limit: .seconds(15)) { fleet.snapshot().online == 2 }
        let foreign = try SignatureSectorWriter.sign(
            image: AppImageBuilder.simple(chip: .esp32c6, version: "6.6.6", hasher: OpenSSLSHA256.self),
            key: PEMKey(path: ESPFixtureFiles.path("signing/keys/rsa3072_b.pem")))
        fleet.serve("foreign.bin", foreign)
        fleet.sendCommand(devices: [1], payload: Array(#"{"version":"6.6.6","url":"\#(fleet.originURL("foreign.bin"))"}"#.utf8))
        try OTAFleet.install("1.1.0", on: fleet, devices: [0])
        advance(fleet, until: "device 0 on 1.1.0, device 1 refused", limit: .seconds(20)) {
            fleet.latestStatus(of: 0)?["fw"]?.stringValue == "1.1.0"
                && fleet.statuses(of: 1).contains { $0["ota"]?["state"]?.stringValue == "failed" }
        }
        XCTAssertLessThanOrEqual(fleet.privateFlashBytes(), 2 * 64, "an image refused after download is not kept per device")
        let report = fleet.finish()
        let error = fleet.statuses(of: 1).compactMap { $0["ota"]?["error"]?.stringValue }.first
        XCTAssertTrue(error?.hasPrefix("signature: ") ?? false, String(describing: error))
        XCTAssertEqual(report.versions, ["1.0.0": 1, "1.1.0": 1])
    }
}
