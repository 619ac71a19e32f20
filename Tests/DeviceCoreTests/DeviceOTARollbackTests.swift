import XCTest
@testable import DeviceCore
import DeviceTestKit

/// After the reboot into a new image: the confirmation window, rollback when it closes, and an
/// image that no longer boots.
final class DeviceOTARollbackTests: XCTestCase {
    let url = DeviceOTATriggerTests.imageURL

    func chip(_ config: DeviceConfig = DeviceOnChip.config()) throws -> DeviceOnChip {
        try DeviceOnChip(config: config, factoryImage: TestImages.simple("1.0.0"))
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
        chip.send(.httpRequest(id: 9, HTTPRequest(method: .post, path: "/reboot", headers: [DeviceHarness.json], body: [])))
        chip.run(for: .seconds(2))
        XCTAssertEqual(chip.boots.last?.rollbackCause, .notBootable)
        XCTAssertEqual(chip.device.firmwareVersion, "1.0.0")
        XCTAssertEqual(chip.otaReports.last?["reason"]?.stringValue, "not_bootable")
    }

    func testAntiRollbackRefusesALowerSecureVersionAndBurnsTheConfirmedOne() throws {
        var config = DeviceOnChip.config()
        config.ota.antiRollbackEnabled = true
        var chip = try DeviceOnChip(config: config, factoryImage: TestImages.simple("1.0.0", secureVersion: 1))
        XCTAssertEqual(chip.efuses.secureVersion, 1, "the first boot burns the running image's secure version")
        chip.files[url] = TestImages.simple("1.1.0", secureVersion: 0, payload: 10_000)
        chip.command(#"{"version":"1.1.0","url":"\#(url)"}"#)
        chip.run(for: .seconds(3))
        XCTAssertEqual(chip.otaReports.last?["error"]?.stringValue, "secure_version 0 below eFuse counter 1")
        XCTAssertEqual(chip.device.counters.otaRefusalKinds, [KindCount(kind: "secure_version", count: 1)])
        let newer = "http://127.0.0.1:8080/fw/1.2.0.bin"
        chip.files[newer] = TestImages.simple("1.2.0", secureVersion: 2, payload: 10_000)
        chip.command(#"{"version":"1.2.0","url":"\#(newer)"}"#)
        chip.run(for: .seconds(3))
        XCTAssertEqual(chip.device.firmwareVersion, "1.2.0")
        XCTAssertEqual(chip.efuses.secureVersion, 2, "burned once the new image was confirmed")
        XCTAssertTrue(chip.log.contains(.burnSecureVersion(2)))
    }
}
