import XCTest
@testable import DeviceCore
import DeviceTestKit

/// The manifest check through `Device` when it does not end in an update: failures, stalls, a busy channel.
final class DeviceOTAManifestTests: XCTestCase {
    let url = DeviceOTATriggerTests.imageURL

    func chip(_ config: DeviceConfig = DeviceOnChip.config()) throws -> DeviceOnChip {
        try DeviceOnChip(config: config, factoryImage: TestImages.simple("1.0.0"))
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
        XCTAssertEqual(chip.device.counters.manifestFailureKinds,
                       [KindCount(kind: "http_status", count: 1), KindCount(kind: "missing_field", count: 1),
                        KindCount(kind: "too_large", count: 1)])
        XCTAssertEqual(chip.downloadRequests.count, 3)
        XCTAssertEqual(chip.device.reportedState, .online)
    }

    func testHostileManifestFieldsAreNamedFailures() throws {
        var config = DeviceOnChip.config()
        config.manifestURL = DeviceOTATriggerTests.manifestURL
        var chip = try chip(config)
        for body in [#"{"version":12,"firmware_url":"http://h/f.bin"}"#, #"{"version":"9.9.9","firmware_url":"file:///etc/passwd"}"#,
                     #"{"version":"9.9.9","firmware_url":"http://h/f.bin"#, "[1,2,3]", ""] {
            chip.files[DeviceOTATriggerTests.manifestURL] = Array(body.utf8)
            chip.command(#"{"action":"check"}"#)
            chip.run(for: .seconds(1))
        }
        XCTAssertEqual(chip.device.counters.manifestFailureKinds.map(\.kind),
                       ["wrong_type", "unsupported_url", "malformed_json", "not_an_object"])
        XCTAssertEqual(chip.device.counters.manifestFailures, 5)
        XCTAssertEqual(chip.downloadRequests.count, 5, "no image was fetched for any of them")
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

    func testAManifestTrickledInsideTheStallTimeoutIsAbandonedAtTheDownloadDeadline() throws {
        var config = DeviceOnChip.config()
        config.manifestURL = DeviceOTATriggerTests.manifestURL
        config.ota.stallTimeout = .seconds(30)
        config.ota.downloadDeadline = .seconds(100)
        var chip = try chip(config)
        chip.files[DeviceOTATriggerTests.manifestURL] = Array((#"{"version":"2.0","firmware_url":"http://h/f.bin","notes":""#
                                                                + String(repeating: " ", count: 200) + #""}"#).utf8)
        chip.chunkSize = 1
        chip.chunkInterval = .seconds(29)  // one byte just inside the stall timeout, for ever
        chip.command(#"{"action":"check"}"#)
        chip.run(for: .seconds(99))
        XCTAssertFalse(chip.log.logLines.contains { $0.hasPrefix("ota: manifest check failed") }, "still inside the deadline")
        chip.run(for: .seconds(2))
        XCTAssertTrue(chip.log.contains(.cancelDownload))
        XCTAssertTrue(chip.log.logLines.contains("ota: manifest check failed: not complete within 100 s"), "\(chip.log.logLines)")
        XCTAssertEqual(chip.device.counters.manifestFailures, 1)
        XCTAssertEqual(chip.request(.post, "/update", body: #"{"version":"1.1.0","url":"\#(url)"}"#, id: 2)?.status, 202,
                       "the channel is free again")
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
