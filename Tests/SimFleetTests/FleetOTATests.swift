import DeviceCore
import Foundation
import XCTest
@testable import SimFleet

/// OTA end to end on a real mosquitto: OTA commands over MQTT, images over HTTP from the embedded
/// firmware origin (libcurl on the reactors), flash and bootloader per device, status as the
/// backend sees it (a `mosquitto_sub` of `device/+/status`).
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
        let section = try JSONReader(maxBytes: 1 << 20).parse(Array(report.json().utf8))["ota"]
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
        let runner = FleetRunner(configuration: OTAFleet.configuration(devices: 2, OTAFleet.options(releases: [])))
        try runner.start()
        let status = try StatusLog(runner)
        defer { status.stop() }
        awaitCondition("fleet online", timeout: 15) { runner.snapshot().online == 2 }
        try runner.publishRelease("v1.1.0")
        runner.sendCommand(devices: [0], payload: Array(#"{"action":"check"}"#.utf8))
        awaitCondition("device 0 on v1.1.0", timeout: 20) { status.latest(runner.deviceID(0))?["fw"]?.stringValue == "v1.1.0" }
        let report = runner.finish()
        XCTAssertEqual(report.versions, ["1.0.0": 1, "v1.1.0": 1])
        XCTAssertEqual(report.originStats?.requests, 2, "manifest.json, then the image")
    }

    func testSignedFleetInstallsItsSignedReleaseAndRefusesAForeignSignature() throws {
        var ota = OTAFleet.options(releases: ["1.1.0"], payload: 100_000)
        ota.signingKeyPath = ESPFixtureFiles.path("signing/keys/rsa3072_a.pem")
        let runner = FleetRunner(configuration: OTAFleet.configuration(devices: 2, ota))
        try runner.start()
        let status = try StatusLog(runner)
        defer { status.stop() }
        awaitCondition("fleet online (Secure Boot on, factory image signed)", timeout: 15) { runner.snapshot().online == 2 }
        let origin = try XCTUnwrap(runner.origin)
        let foreign = try SignatureSectorWriter.sign(
            image: AppImageBuilder.simple(chip: .esp32c6, version: "6.6.6", hasher: OpenSSLSHA256.self),
            key: PEMKey(path: ESPFixtureFiles.path("signing/keys/rsa3072_b.pem")))
        try Data(foreign).write(to: URL(fileURLWithPath: origin.directory + "/foreign.bin"))
        runner.sendCommand(devices: [1], payload: Array(#"{"version":"6.6.6","url":"\#(origin.url(of: "foreign.bin"))"}"#.utf8))
        try OTAFleet.install("1.1.0", on: runner, devices: [0])
        let refused = runner.deviceID(1)
        awaitCondition("device 0 on 1.1.0, device 1 refused", timeout: 20) {
            status.latest(runner.deviceID(0))?["fw"]?.stringValue == "1.1.0"
                && status.all(refused).contains { $0["ota"]?["state"]?.stringValue == "failed" }
        }
        XCTAssertLessThanOrEqual(runner.privateFlashBytes(), 2 * 64, "an image refused after download is not kept per device")
        let report = runner.finish()
        let error = status.all(refused).compactMap { $0["ota"]?["error"]?.stringValue }.first
        XCTAssertTrue(error?.hasPrefix("signature: ") ?? false, String(describing: error))
        XCTAssertEqual(report.versions, ["1.0.0": 1, "1.1.0": 1])
    }
}
