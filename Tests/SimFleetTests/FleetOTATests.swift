import DeviceCore
import Foundation
import XCTest
@testable import SimFleet

/// OTA end to end on a real mosquitto: OTA commands over MQTT, images over HTTP from the embedded
/// firmware origin (libcurl on the reactors), flash and bootloader per device, status as the
/// backend sees it (a `mosquitto_sub` of `device/+/status`).
final class FleetOTATests: XCTestCase {
    private func configuration(devices: Int = 5, _ ota: FleetOTAOptions) -> FleetConfiguration {
        var c = FleetConfiguration(devices: devices, heartbeatMs: 500, qos: 1, rampPerSecond: 200, seed: 11,
                                   durationSeconds: 120, reactors: 2, drainSeconds: 3)
        c.idTemplate = "ota-{n:02}"
        c.ota = ota
        return c
    }

    private func options(releases: [String], payload: Int = 200_000) -> FleetOTAOptions {
        var o = FleetOTAOptions()
        o.releases = releases
        o.imagePayloadBytes = payload
        return o
    }

    private func install(_ version: String, on runner: FleetRunner<FleetDevice>, devices: [Int], sha256: Bool = true) throws {
        let origin = try XCTUnwrap(runner.origin)
        let image = try XCTUnwrap(runner.firmware).image(version)
        var command = #"{"version":"\#(version)","url":"\#(origin.url(of: FirmwareCatalog.fileName(version)))""#
        if sha256 { command += #","sha256":"\#(hexString(image.digest))","size":\#(image.bytes.count)"# }
        runner.sendCommand(devices: devices, payload: Array((command + "}").utf8))
    }

    func testCohortDownloadsVerifiesRebootsAndComesBackOnTheNewVersion() throws {
        let runner = FleetRunner<FleetDevice>(configuration: configuration(options(releases: ["1.1.0"], payload: 300_000)))
        try runner.start()
        let status = try StatusLog(runner)
        defer { status.stop() }
        awaitCondition("fleet online", timeout: 15) { runner.snapshot().online == 5 }
        runner.setOriginFaults(OriginFaults(rateLimitBytesPerSecond: 250_000))  // progress shows in heartbeats
        let cohort = [1, 3].map(runner.deviceID)
        try install("1.1.0", on: runner, devices: [1, 3])
        awaitCondition("cohort online on 1.1.0", timeout: 30) {
            cohort.allSatisfy { status.latest($0)?["fw"]?.stringValue == "1.1.0" && status.latest($0)?["state"]?.stringValue == "online" }
        }
        XCTAssertLessThanOrEqual(runner.privateFlashBytes(), 5 * 64, "at rest every device holds only otadata; images are shared")
        let report = runner.finish()

        XCTAssertEqual(report.versions, ["1.0.0": 3, "1.1.0": 2])
        XCTAssertEqual(report.imagesBooted, 2)
        XCTAssertEqual(report.rollbacks, 0)
        XCTAssertEqual(report.otaOutcomes, OTAOutcomes(started: 2, committed: 2, succeeded: 2, refused: 0, refusedByKind: [:]))
        let section = try JSONReader().parse(Array(report.json().utf8))["ota"]
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

    func testCorruptedDownloadIsRefusedAndTheDeviceStaysOnItsVersion() throws {
        let runner = FleetRunner<FleetDevice>(configuration: configuration(options(releases: ["1.1.0"])))
        try runner.start()
        let status = try StatusLog(runner)
        defer { status.stop() }
        awaitCondition("fleet online", timeout: 15) { runner.snapshot().online == 5 }
        runner.setOriginFaults(OriginFaults(corruptPercent: 100, seed: 3))
        let id = runner.deviceID(2)
        try install("1.1.0", on: runner, devices: [2], sha256: false)
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
        var ota = options(releases: ["1.2.0"])
        ota.brokenReleases = ["1.2.0"]
        ota.confirmWithinSeconds = 2
        let runner = FleetRunner<FleetDevice>(configuration: configuration(ota))
        try runner.start()
        let status = try StatusLog(runner)
        defer { status.stop() }
        awaitCondition("fleet online", timeout: 15) { runner.snapshot().online == 5 }
        let id = runner.deviceID(4)
        try install("1.2.0", on: runner, devices: [4])
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
        let runner = FleetRunner<FleetDevice>(configuration: configuration(devices: 2, options(releases: ["1.1.0"], payload: 400_000)))
        try runner.start()
        let status = try StatusLog(runner)
        defer { status.stop() }
        awaitCondition("fleet online", timeout: 15) { runner.snapshot().online == 2 }
        runner.setOriginFaults(OriginFaults(rateLimitBytesPerSecond: 100_000))
        let id = runner.deviceID(0)
        try install("1.1.0", on: runner, devices: [0])
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
        try install("1.1.0", on: runner, devices: [0])
        awaitCondition("the retried update lands", timeout: 15) { status.latest(id)?["fw"]?.stringValue == "1.1.0" }
        let report = runner.finish()
        XCTAssertEqual(report.bricked, 0)
        XCTAssertEqual(report.rollbacks, 0)
        XCTAssertEqual(report.versions, ["1.0.0": 1, "1.1.0": 1])
    }

    func testManifestCheckCommandInstallsTheRelease() throws {
        let runner = FleetRunner<FleetDevice>(configuration: configuration(devices: 2, options(releases: ["v1.1.0"])))
        try runner.start()
        let status = try StatusLog(runner)
        defer { status.stop() }
        awaitCondition("fleet online", timeout: 15) { runner.snapshot().online == 2 }
        runner.sendCommand(devices: [0], payload: Array(#"{"action":"check"}"#.utf8))
        awaitCondition("device 0 on v1.1.0", timeout: 20) { status.latest(runner.deviceID(0))?["fw"]?.stringValue == "v1.1.0" }
        let report = runner.finish()
        XCTAssertEqual(report.versions, ["1.0.0": 1, "v1.1.0": 1])
        XCTAssertEqual(report.originStats?.requests, 2, "manifest.json, then the image")
    }

    func testSignedFleetInstallsItsSignedReleaseAndRefusesAForeignSignature() throws {
        var ota = options(releases: ["1.1.0"], payload: 100_000)
        ota.signingKeyPath = ESPFixtureFiles.path("signing/keys/rsa3072_a.pem")
        let runner = FleetRunner<FleetDevice>(configuration: configuration(devices: 2, ota))
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
        try install("1.1.0", on: runner, devices: [0])
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

/// Every status message the broker delivered, by device id, parsed.
private final class StatusLog: @unchecked Sendable {
    private let subscriber: Subscriber

    init(_ runner: FleetRunner<FleetDevice>) throws {
        subscriber = try Subscriber(port: try XCTUnwrap(runner.broker?.ports.first), topic: "device/+/status")
    }

    func all(_ id: String) -> [JSONValue] {
        subscriber.messages.filter { $0.topic == "device/\(id)/status" }.compactMap { try? JSONReader().parse(Array($0.payload.utf8)) }
    }

    func latest(_ id: String) -> JSONValue? { all(id).last }

    func stop() { subscriber.stop() }
}
