import XCTest
@testable import DeviceCore

/// What goes wrong during an update through `Device`, and what the device and its status say.
final class DeviceOTAFailureTests: XCTestCase {
    let url = DeviceOTATriggerTests.imageURL

    func chip(_ config: DeviceConfig = DeviceOnChip.config()) throws -> DeviceOnChip {
        try DeviceOnChip(config: config, factoryImage: TestImages.simple("1.0.0"))
    }

    func testDroppedDownloadResumesWithARangeRequest() throws {
        var chip = try chip()
        let file = TestImages.simple("1.1.0", payload: 300_000)
        chip.files[url] = file
        chip.dropAt = 100_000
        chip.command(#"{"version":"1.1.0","url":"\#(url)"}"#)
        chip.run(for: .seconds(30))
        XCTAssertEqual(chip.downloadRequests, [.init(url: url, rangeStart: 0), .init(url: url, rangeStart: 100_000)])
        XCTAssertTrue(chip.log.logLines.contains("ota: download connection lost at byte 100000, retrying"))
        XCTAssertEqual(try chip.slot(1, length: file.count), file)
        XCTAssertEqual(chip.device.firmwareVersion, "1.1.0")
        XCTAssertEqual(chip.otadata.entries[1].state, .valid)
    }

    func testCorruptImageIsRefusedBeforeCommitAndTheStatusSaysWhyOnce() throws {
        var chip = try chip()
        var file = TestImages.simple("1.1.0", payload: 100_000)
        file[50_000] ^= 0x01
        chip.files[url] = file
        let otadata = chip.otadata
        chip.command(#"{"version":"1.1.0","url":"\#(url)"}"#)
        chip.run(for: .seconds(20))
        XCTAssertEqual(chip.otadata, otadata, "nothing committed")
        XCTAssertEqual(chip.boots.count, 1, "no reboot")
        XCTAssertEqual(chip.device.firmwareVersion, "1.0.0")
        XCTAssertEqual(chip.device.reportedState, .online)
        let failed = chip.otaReports.filter { $0["state"]?.stringValue == "failed" }
        XCTAssertEqual(failed.count, 1, "reported once")
        XCTAssertEqual(failed.first?["version"]?.stringValue, "1.1.0")
        XCTAssertTrue(failed.first?["error"]?.stringValue?.hasPrefix("invalid image: ") ?? false, "\(String(describing: failed.first))")
        XCTAssertNil(chip.statuses.last?["ota"], "later heartbeats carry no ota object")
        XCTAssertGreaterThan(chip.statuses.count, 3)
        XCTAssertEqual(chip.device.counters.otaRefusals, 1)
    }

    func testSHA256FromTheCommandIsCheckedBeforeCommit() throws {
        var chip = try chip()
        let file = TestImages.simple("1.1.0", payload: 10_000)
        chip.files[url] = file
        chip.command(#"{"version":"1.1.0","url":"\#(url)","sha256":"\#(String(repeating: "0", count: 64))"}"#)
        chip.run(for: .seconds(5))
        XCTAssertEqual(chip.otaReports.last?["error"]?.stringValue, "SHA-256 of the download differs from the command's")
        XCTAssertEqual(chip.boots.count, 1)
    }

    func testDowngradeIsRefusedWithoutDownloadingAndReported() throws {
        var chip = try chip()
        chip.command(#"{"version":"0.9.0","url":"\#(url)"}"#)
        XCTAssertEqual(chip.downloadRequests, [])
        chip.run(for: .seconds(6))
        XCTAssertEqual(chip.otaReports, [.object([JSONMember("state", .string("failed")),
                                                  JSONMember("error", .string("version 0.9.0 is not newer than running 1.0.0")),
                                                  JSONMember("version", .string("0.9.0"))])])
    }

    func testUpdateRequestsWhileBusyAre409AndDoNotDisturbTheDownload() throws {
        var chip = try chip()
        chip.files[url] = TestImages.simple("1.1.0", payload: 100_000)
        XCTAssertEqual(chip.request(.post, "/update", body: #"{"version":"1.1.0","url":"\#(url)"}"#)?.status, 202)
        let busy = chip.request(.post, "/update", body: #"{"version":"1.2.0","url":"http://other/fw.bin"}"#, id: 2)
        XCTAssertEqual(busy?.status, 409)
        XCTAssertEqual(busy?.json?["error"]?.stringValue, "update already in progress (connecting)")
        XCTAssertEqual(chip.request(.post, "/test_update", body: #"{"url":"http://other/fw.bin"}"#, id: 3)?.status, 409)
        chip.command(#"{"version":"1.3.0","url":"http://other/fw.bin"}"#)
        chip.run(for: .seconds(20))
        XCTAssertEqual(chip.downloadRequests.map(\.url), [url])
        XCTAssertEqual(chip.device.firmwareVersion, "1.1.0")
    }

    func testRollbackWhenTheNewFirmwareNeverReachesTheBroker() throws {
        var config = DeviceOnChip.config()
        config.ota.confirmWithin = .seconds(45)
        var chip = try chip(config)
        chip.files[url] = TestImages.simple("1.1.0", payload: 50_000)
        chip.brokerRefuses = ["1.1.0"]
        chip.command(#"{"version":"1.1.0","url":"\#(url)"}"#)
        chip.run(for: .seconds(5))
        XCTAssertEqual(chip.device.firmwareVersion, "1.1.0")
        XCTAssertFalse(chip.device.isMQTTConnected)
        chip.run(for: .seconds(39))  // the new image booted about 0.6 s after the command
        XCTAssertEqual(chip.boots.count, 2, "still waiting inside the window")
        chip.run(for: .seconds(5))
        XCTAssertEqual(chip.boots.count, 3, "rebooted when the window closed")
        let last = try XCTUnwrap(chip.boots.last)
        XCTAssertEqual(last.index, 0)
        XCTAssertEqual(last.rolledBackFrom, 1)
        XCTAssertEqual(last.rollbackCause, .unconfirmed)
        XCTAssertEqual(chip.otadata.entries[1].state, .aborted)
        XCTAssertEqual(chip.device.firmwareVersion, "1.0.0")
        XCTAssertTrue(chip.log.logLines.contains("ota: rolled back from 1.1.0 (unconfirmed), running 1.0.0"))
        XCTAssertEqual(chip.otaReports.filter { $0["state"]?.stringValue == "rolled_back" },
                       [.object([JSONMember("state", .string("rolled_back")), JSONMember("from", .string("1.1.0")),
                                 JSONMember("reason", .string("unconfirmed"))])])
        XCTAssertEqual(chip.statuses.last?["fw"]?.stringValue, "1.0.0")
        XCTAssertEqual(chip.device.counters.otaRollbacks, 1)
        chip.run(for: .seconds(30))
        XCTAssertEqual(chip.boots.count, 3, "the old image is confirmed VALID already: no more reboots")
    }

    func testSignatureRequiredDeviceRefusesAnUnsignedImage() throws {
        var config = DeviceOnChip.config()
        config.ota.requireSignature = true
        var chip = try chip(config)
        chip.files[url] = TestImages.simple("1.1.0", payload: 20_000)
        chip.command(#"{"version":"1.1.0","url":"\#(url)"}"#)
        chip.run(for: .seconds(10))
        XCTAssertEqual(chip.boots.count, 1)
        XCTAssertEqual(chip.otaReports.last?["state"]?.stringValue, "failed")
        XCTAssertEqual(chip.otaReports.last?["error"]?.stringValue, "signature: " + SignatureError.missing.reason)
        XCTAssertEqual(chip.otadata.entries[1], .erased)
    }

    func testForcedRequestNeverSkipsTheSignatureCheck() throws {
        var config = DeviceOnChip.config()
        config.ota.requireSignature = true
        var chip = try chip(config)
        chip.files[url] = TestImages.simple("1.0.0", payload: 20_000)
        XCTAssertEqual(chip.request(.post, "/test_update", body: #"{"url":"\#(url)"}"#)?.status, 202)
        chip.run(for: .seconds(10))
        XCTAssertEqual(chip.boots.count, 1)
        XCTAssertEqual(chip.otaReports.last?["error"]?.stringValue, "signature: " + SignatureError.missing.reason)
    }

    func testManifestFailuresLeaveTheDeviceIdle() throws {
        var config = DeviceOnChip.config()
        config.manifestURL = DeviceOTATriggerTests.manifestURL
        var chip = try chip(config)
        chip.command(#"{"action":"check"}"#)  // 404
        chip.run(for: .seconds(1))
        chip.files[DeviceOTATriggerTests.manifestURL] = Array(#"{"version":"2.0"}"#.utf8)
        chip.command(#"{"action":"check"}"#)
        chip.run(for: .seconds(1))
        chip.files[DeviceOTATriggerTests.manifestURL] = Array(("{\"notes\":\"" + String(repeating: "x", count: 5000) + "\"}").utf8)
        chip.command(#"{"action":"check"}"#)
        chip.run(for: .seconds(1))
        XCTAssertEqual(chip.log.logLines.filter { $0.hasPrefix("ota: manifest check failed: ") },
                       ["ota: manifest check failed: download HTTP 404",
                        #"ota: manifest check failed: missing "firmware_url""#,
                        "ota: manifest check failed: larger than 4096 bytes"])
        XCTAssertEqual(chip.device.counters.manifestFailures, 3)
        XCTAssertEqual(chip.downloadRequests.count, 3)
        XCTAssertEqual(chip.device.reportedState, .online)
    }

    func testManifestDownloadThatStallsIsAbandoned() throws {
        var config = DeviceOnChip.config()
        config.manifestURL = DeviceOTATriggerTests.manifestURL
        config.ota.stallTimeout = .seconds(10)
        var chip = try chip(config)
        chip.files[DeviceOTATriggerTests.manifestURL] = Array(#"{"version":"2.0","firmware_url":"http://h/f.bin"}"#.utf8)
        chip.chunkInterval = .seconds(60)  // the server never gets to send
        chip.command(#"{"action":"check"}"#)
        XCTAssertEqual(chip.request(.post, "/update", body: #"{"version":"1.1.0","url":"\#(url)"}"#)?.status, 409,
                       "the channel is taken by the manifest")
        chip.run(for: .seconds(11))
        XCTAssertTrue(chip.log.contains(.cancelDownload))
        XCTAssertTrue(chip.log.logLines.contains("ota: manifest check failed: stalled"))
        XCTAssertEqual(chip.request(.post, "/update", body: #"{"version":"1.1.0","url":"\#(url)"}"#, id: 2)?.status, 202)
    }

    func testDownloadEventsWithNothingDownloadingAreIgnored() throws {
        var chip = try chip()
        chip.send(.download(.data([1, 2, 3])))
        XCTAssertEqual(chip.device.counters.ignoredEvents, 1)
        XCTAssertEqual(chip.log.logLines.last, "ignored download event (nothing is downloading) (state online)")
    }

    func testDeviceWithoutFlashModelStillUpdatesItsOTAData() {
        // A host that models no flash hands a plain BootInfo: the device assumes a freshly flashed chip.
        var h = DeviceHarness()
        h.bootOnline()
        let actions = h.send(.mqtt(.message(topic: h.device.topics.ota, payload: Array(#"{"version":"2.0","url":"http://h/f.bin"}"#.utf8))))
        XCTAssertTrue(actions.contains(.startDownload(url: "http://h/f.bin", rangeStart: 0)))
        XCTAssertEqual(h.device.ota.updater?.targetSlot, 1)
        XCTAssertEqual(h.device.ota.updater?.otadata.activeIndex, 0)
    }

    func testRequestsWhileTheNewImageAwaitsConfirmationAre409() throws {
        var chip = try chip()
        chip.files[url] = TestImages.simple("1.1.0", payload: 10_000)
        chip.brokerRefuses = ["1.1.0"]
        chip.command(#"{"version":"1.1.0","url":"\#(url)"}"#)
        chip.run(for: .seconds(3))
        XCTAssertEqual(chip.device.ota.updater?.state.name, "pending_verify")
        let response = chip.request(.post, "/update", body: #"{"version":"1.2.0","url":"\#(url)"}"#)
        XCTAssertEqual(response?.status, 409)
        XCTAssertEqual(response?.json?["error"]?.stringValue, "running image not yet confirmed")
        XCTAssertEqual(chip.device.ota.updater?.state.name, "pending_verify", "the confirmation window is untouched")
    }

    func testImageThatFailsAtBootIsReportedAsNotBootable() throws {
        var chip = try chip()
        let file = TestImages.simple("1.1.0", payload: 10_000)
        chip.files[url] = file
        chip.command(#"{"version":"1.1.0","url":"\#(url)"}"#)
        chip.run(for: .seconds(3))
        XCTAssertEqual(chip.device.firmwareVersion, "1.1.0")
        // The new image loses its first sector (a flash fault) and the chip restarts.
        try chip.flash.erase(offset: 0x31_0000, length: 4096)
        chip.send(.httpRequest(id: 9, HTTPRequest(method: .post, path: "/reboot", body: [])))
        chip.run(for: .seconds(2))
        XCTAssertEqual(chip.boots.last?.rollbackCause, .notBootable)
        XCTAssertEqual(chip.device.firmwareVersion, "1.0.0")
        XCTAssertEqual(chip.otaReports.last?["reason"]?.stringValue, "not_bootable")
    }

    func testPeriodicPollIsSkippedWhileAnUpdateRuns() throws {
        var config = DeviceOnChip.config()
        config.manifestURL = DeviceOTATriggerTests.manifestURL
        config.manifestPollInterval = .seconds(10)
        var chip = try chip(config)
        chip.files[url] = TestImages.simple("1.1.0", payload: 100_000)
        chip.chunkInterval = .seconds(2)  // a 14 s download
        chip.command(#"{"version":"1.1.0","url":"\#(url)"}"#)
        chip.run(for: .seconds(12))
        XCTAssertEqual(chip.downloadRequests.map(\.url), [url], "no manifest fetch on the busy channel")
        XCTAssertTrue(chip.log.logLines.contains("ota: manifest poll skipped (offline or busy)"))
    }
}
