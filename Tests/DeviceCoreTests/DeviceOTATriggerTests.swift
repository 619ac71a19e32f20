import XCTest
@testable import DeviceCore
import DeviceTestKit

/// Full updates through `Device` from each trigger: download into the inactive slot, verify, commit,
/// reboot through the bootloader, PENDING_VERIFY, confirmed VALID once the broker is reached.
final class DeviceOTATriggerTests: XCTestCase {
    static let imageURL = "http://127.0.0.1:8080/fw/1.1.0.bin"
    static let manifestURL = "http://127.0.0.1:8080/manifest.json"

    func image(_ version: String, payload: Int = 200_000) -> [UInt8] { TestImages.simple(version, payload: payload) }

    func chip(_ config: DeviceConfig = DeviceOnChip.config()) throws -> DeviceOnChip {
        let chip = try DeviceOnChip(config: config, factoryImage: image("1.0.0"))
        XCTAssertEqual(chip.device.reportedState, .online)
        XCTAssertEqual(chip.device.firmwareVersion, "1.0.0")
        return chip
    }

    /// After a trigger: the download runs, the device reboots into slot 1 as `version`, PENDING_VERIFY
    /// until CONNACK, then VALID; the status says `rebooting` before and the new version after.
    func assertInstalls(_ chip: inout DeviceOnChip, _ file: [UInt8], version: String,
                        line: UInt = #line) throws {
        chip.run(for: .seconds(30))
        XCTAssertNil(chip.bootFailure, line: line)
        XCTAssertEqual(chip.boots.count, 2, "one reboot into the new image", line: line)
        XCTAssertEqual(chip.boots.last?.index, 1, line: line)
        XCTAssertTrue(chip.boots.last?.pendingVerify ?? false, "a new image boots PENDING_VERIFY", line: line)
        XCTAssertEqual(try chip.slot(1, length: file.count), file, "slot 1 holds the exact file", line: line)
        XCTAssertEqual(chip.otadata.entries[1].state, .valid, "confirmed after reaching the broker", line: line)
        XCTAssertEqual(chip.device.firmwareVersion, version, line: line)
        XCTAssertEqual(chip.device.counters.otaConfirmed, 1, line: line)
        let states = chip.statuses.compactMap { $0["state"]?.stringValue }
        let rebooting = try XCTUnwrap(states.lastIndex(of: "rebooting"), "rebooting is announced", line: line)
        XCTAssertLessThan(try XCTUnwrap(states.firstIndex(of: "updating"), line: line), rebooting, line: line)
        XCTAssertEqual(chip.statuses.last?["fw"]?.stringValue, version, line: line)
        XCTAssertEqual(chip.statuses.last?["state"]?.stringValue, "online", line: line)
        XCTAssertNil(chip.statuses.last?["ota"], "nothing left to report", line: line)
    }

    func testMQTTCommandInstallsAndReportsProgressInTheHeartbeat() throws {
        var chip = try chip()
        let file = image("1.1.0")
        chip.files[Self.imageURL] = file
        chip.chunkInterval = .seconds(1)  // 13 chunks: several 5 s heartbeats see the download
        chip.command(#"{"version":"1.1.0","url":"\#(Self.imageURL)","sha256":"\#(hexString(SoftwareSHA256.hash(file[...])))","size":\#(file.count)}"#)
        XCTAssertEqual(chip.device.reportedState, .updating)
        chip.run(for: .seconds(7))
        let progress = try XCTUnwrap(chip.otaReports.last { $0["state"]?.stringValue == "downloading" })
        XCTAssertEqual(progress["total"]?.int64Value, Int64(file.count))
        XCTAssertEqual(progress["version"]?.stringValue, "1.1.0")
        let percent = try XCTUnwrap(progress["percent"]?.int64Value)
        XCTAssertTrue((1...99).contains(percent), "percent \(percent)")
        let bytes = try XCTUnwrap(progress["bytes"]?.int64Value)
        XCTAssertEqual(percent, bytes * 100 / Int64(file.count))
        try assertInstalls(&chip, file, version: "1.1.0")
        XCTAssertEqual(chip.downloadRequests, [.init(url: Self.imageURL, rangeStart: 0)])
        XCTAssertEqual(chip.device.counters.otaImagesCommitted, 1)
    }

    func testManifestCheckInstallsTheNewerRelease() throws {
        var config = DeviceOnChip.config()
        config.manifestURL = Self.manifestURL
        var chip = try chip(config)
        let file = image("v1.1.0")
        chip.files[Self.imageURL] = file
        chip.files[Self.manifestURL] = Array(#"{"version":"v1.1.0","firmware_url":"\#(Self.imageURL)","released":"2026-11-01T00:00:00Z","notes":"fixes"}"#.utf8)
        chip.command(#"{"action":"check"}"#)
        XCTAssertEqual(chip.downloadRequests, [.init(url: Self.manifestURL, rangeStart: 0)])
        XCTAssertEqual(chip.device.reportedState, .online, "a manifest check is not an update yet")
        try assertInstalls(&chip, file, version: "v1.1.0")
        XCTAssertEqual(chip.downloadRequests.map(\.url), [Self.manifestURL, Self.imageURL])
    }

    func testManifestOfferingTheRunningVersionChangesNothing() throws {
        var config = DeviceOnChip.config()
        config.manifestURL = Self.manifestURL
        var chip = try chip(config)
        chip.files[Self.manifestURL] = Array(#"{"version":"v1.0.0","firmware_url":"\#(Self.imageURL)"}"#.utf8)
        chip.command(#"{"action":"check"}"#)
        chip.run(for: .seconds(10))
        XCTAssertEqual(chip.downloadRequests.map(\.url), [Self.manifestURL])
        XCTAssertTrue(chip.log.logLines.contains("ota: manifest offers v1.0.0, running 1.0.0: up to date"))
        XCTAssertEqual(chip.boots.count, 1)
    }

    func testPeriodicPollPicksUpANewRelease() throws {
        var config = DeviceOnChip.config()
        config.manifestURL = Self.manifestURL
        config.manifestPollInterval = .seconds(60)
        var chip = try chip(config)
        chip.files[Self.manifestURL] = Array(#"{"version":"1.0.0","firmware_url":"\#(Self.imageURL)"}"#.utf8)
        chip.run(for: .seconds(125))
        XCTAssertEqual(chip.downloadRequests.map(\.url), [Self.manifestURL, Self.manifestURL], "polled at 60 s and 120 s")
        let file = image("1.1.0")
        chip.files[Self.imageURL] = file
        chip.files[Self.manifestURL] = Array(#"{"version":"1.1.0","firmware_url":"\#(Self.imageURL)"}"#.utf8)
        chip.run(for: .seconds(60))
        XCTAssertEqual(chip.downloadRequests.map(\.url).suffix(2), [Self.manifestURL, Self.imageURL])
        try assertInstalls(&chip, file, version: "1.1.0")
    }

    func testPostUpdateAnswers202AndInstalls() throws {
        var chip = try chip()
        let file = image("1.1.0")
        chip.files[Self.imageURL] = file
        let response = chip.request(.post, "/update", body: #"{"version":"1.1.0","url":"\#(Self.imageURL)"}"#)
        XCTAssertEqual(response?.status, 202)
        XCTAssertEqual(response?.json?["status"]?.stringValue, "accepted")
        try assertInstalls(&chip, file, version: "1.1.0")
    }

    func testPostTestUpdateForcesTheRunningVersionButUpdateDoesNot() throws {
        var chip = try chip()
        let file = image("1.0.0", payload: 50_000)
        chip.files[Self.imageURL] = file
        let refused = chip.request(.post, "/update", body: #"{"version":"1.0.0","url":"\#(Self.imageURL)"}"#)
        XCTAssertEqual(refused?.status, 400)
        XCTAssertEqual(refused?.json?["error"]?.stringValue, "version 1.0.0 is not newer than running 1.0.0")
        XCTAssertEqual(chip.downloadRequests, [])
        XCTAssertEqual(chip.request(.post, "/test_update", body: #"{"version":"1.0.0","url":"\#(Self.imageURL)"}"#)?.status, 202)
        try assertInstalls(&chip, file, version: "1.0.0")
    }

    func testRealC6ImageInstallsThroughTestUpdate() throws {
        try Fixtures.require()
        var chip = try chip()
        let file = try Fixtures.bytes(TestImages.realC6Name)
        chip.files[Self.imageURL] = file
        chip.chunkSize = 64 * 1024
        XCTAssertEqual(chip.request(.post, "/test_update", body: #"{"url":"\#(Self.imageURL)"}"#)?.status, 202)
        try assertInstalls(&chip, file, version: "e097db2-dirty")
    }
}
