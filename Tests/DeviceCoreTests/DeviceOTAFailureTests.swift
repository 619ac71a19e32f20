import XCTest
@testable import DeviceCore
import DeviceTestKit

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


    func testUpdatesAreRefusedWhileTheAccessPointIsUp() {
        var h = DeviceHarness(config: DeviceHarness.config(wifi: nil))
        h.send(.powerOn(.powerOn, boot: DeviceHarness.boot))
        let response = h.request(.post, "/update", body: #"{"version":"2.0","url":"http://h/f.bin"}"#)
        XCTAssertEqual(response?.status, 403, "the open access point serves nothing that changes the device")
        XCTAssertEqual(response?.json?["error"]?.stringValue, "not available on the provisioning access point")
        XCTAssertFalse(h.log.contains { if case .startDownload = $0 { return true } else { return false } })
    }
}
