import XCTest
@testable import DeviceCore
import DeviceTestKit

/// Which version a device reports and compares when the backend's manifest names a build by
/// another name than its app descriptor (the reference images say `b94e7f3-dirty`, their manifest
/// `v2025.03.25.155052`), and that no setting makes a polling device download one image forever.
final class DeviceManifestVersionTests: XCTestCase {
    static let manifestURL = DeviceOTATriggerTests.manifestURL
    static let imageURL = DeviceOTATriggerTests.imageURL
    static let release = "v2025.03.25.155052"

    /// A device polling the manifest every 10 s, the manifest naming `release` at `imageURL`.
    func pollingChip(_ source: FirmwareVersionSource, image: [UInt8], release: String = release) throws -> DeviceOnChip {
        var config = DeviceOnChip.config()
        config.manifestURL = Self.manifestURL
        config.manifestPollInterval = .seconds(10)
        config.versionSource = source
        var chip = try DeviceOnChip(config: config, factoryImage: TestImages.simple("1.0.0"))
        chip.chunkSize = 64 * 1024
        chip.files[Self.imageURL] = image
        chip.files[Self.manifestURL] = Array(#"{"version":"\#(release)","firmware_url":"\#(Self.imageURL)","released":"2025-03-25T15:50:52Z","notes":"n"}"#.utf8)
        return chip
    }

    func imageDownloads(_ chip: DeviceOnChip) -> Int { chip.downloadRequests.filter { $0.url == Self.imageURL }.count }
    func manifestFetches(_ chip: DeviceOnChip) -> Int { chip.downloadRequests.filter { $0.url == Self.manifestURL }.count }

    func testReleaseSourceReportsTheManifestsNameAndDownloadsTheImageOnce() throws {
        var chip = try pollingChip(.release, image: TestImages.simple("b94e7f3-dirty", payload: 100_000))
        chip.run(for: .seconds(120))
        XCTAssertEqual(imageDownloads(chip), 1, "installed once, then up to date at every poll")
        XCTAssertGreaterThanOrEqual(manifestFetches(chip), 10, "the device kept polling")
        XCTAssertEqual(chip.boots.count, 2)
        XCTAssertEqual(chip.boots.last?.app.version, "b94e7f3-dirty", "the image is the one the manifest named")
        XCTAssertEqual(chip.device.firmwareVersion, Self.release)
        XCTAssertEqual(chip.statuses.last?["fw"]?.stringValue, Self.release)
        XCTAssertEqual(chip.request(.get, "/version", body: "")?.json?["version"]?.stringValue, Self.release)
        XCTAssertTrue(chip.log.logLines.contains("ota: manifest offers \(Self.release), running \(Self.release): up to date"))
    }

    func testAppDescriptorSourceReportsTheDescriptorAndStillDownloadsTheImageOnce() throws {
        var chip = try pollingChip(.appDescriptor, image: TestImages.simple("b94e7f3-dirty", payload: 100_000))
        chip.run(for: .seconds(120))
        XCTAssertEqual(imageDownloads(chip), 1, "the release the slot was installed under is never installed again")
        XCTAssertGreaterThanOrEqual(manifestFetches(chip), 10)
        XCTAssertEqual(chip.device.firmwareVersion, "b94e7f3-dirty")
        XCTAssertEqual(chip.statuses.last?["fw"]?.stringValue, "b94e7f3-dirty")
        XCTAssertEqual(chip.device.counters.otaConfirmed, 1)
        XCTAssertTrue(chip.log.logLines.contains("ota: manifest offers \(Self.release), running b94e7f3-dirty: up to date"))
    }

    func testReferenceImageUnderItsManifestNameIsDownloadedOnce() throws {
        let file = try Fixtures.bytes(TestImages.realC6Name)  // skipped, and counted with the others, without ../shared
        for source in [FirmwareVersionSource.release, .appDescriptor] {
            var chip = try pollingChip(source, image: file)
            chip.run(for: .seconds(120))
            XCTAssertNil(chip.bootFailure)
            XCTAssertEqual(imageDownloads(chip), 1, source.name)
            XCTAssertEqual(try chip.slot(1, length: file.count), file)
            let descriptor = try XCTUnwrap(chip.boots.last?.app.version)
            XCTAssertNotEqual(descriptor, Self.release, "the reference build's descriptor names another version")
            XCTAssertEqual(chip.device.firmwareVersion, source == .release ? Self.release : descriptor, source.name)
        }
    }

    func testReleaseSourceOrdersVersionsButAppDescriptorInstallsAnyOtherText() throws {
        // Installed as 2.0.0 (descriptor "abc1234"), then the manifest goes back to 1.5.0.
        for (source, installsOlder) in [(FirmwareVersionSource.release, false), (.appDescriptor, true)] {
            var chip = try pollingChip(source, image: TestImages.simple("abc1234", payload: 20_000), release: "2.0.0")
            chip.run(for: .seconds(40))
            XCTAssertEqual(imageDownloads(chip), 1)
            chip.files[Self.manifestURL] = Array(#"{"version":"1.5.0","firmware_url":"\#(Self.imageURL)"}"#.utf8)
            chip.run(for: .seconds(40))
            XCTAssertEqual(imageDownloads(chip), installsOlder ? 2 : 1, source.name)
        }
    }

    func testAReleaseThatRolledBackIsNotPolledInAgain() throws {
        var chip = try pollingChip(.release, image: TestImages.simple("2.0.0", payload: 20_000), release: "2.0.0")
        chip.brokerRefuses = ["2.0.0"]  // a bad build: it never reaches the broker, so it is rolled back
        chip.run(for: .seconds(300))
        XCTAssertEqual(chip.device.counters.otaRollbacks, 1)
        XCTAssertEqual(chip.device.firmwareVersion, "1.0.0")
        XCTAssertEqual(imageDownloads(chip), 1, "not downloaded again at every poll")
        XCTAssertEqual(chip.device.nvs.rolledBackRelease, "2.0.0")
        XCTAssertTrue(chip.log.logLines.contains("ota: manifest offers 2.0.0, which this device rolled back from: not installed again"))
        // A command still installs it: the operator asked for it.
        chip.brokerRefuses = []
        chip.command(#"{"version":"2.0.0","url":"\#(Self.imageURL)"}"#)
        chip.run(for: .seconds(30))
        XCTAssertEqual(chip.device.firmwareVersion, "2.0.0")
    }

    func testTheFactoryImageAnswersToTheVersionTheDeviceWasBuiltWith() throws {
        var config = DeviceOnChip.config(version: "1.0.0")
        var chip = try DeviceOnChip(config: config, factoryImage: TestImages.simple("abc1234-dirty"))
        XCTAssertEqual(chip.device.firmwareVersion, "1.0.0", "the release name compiled into the factory build")
        config.versionSource = .appDescriptor
        chip = try DeviceOnChip(config: config, factoryImage: TestImages.simple("abc1234-dirty"))
        XCTAssertEqual(chip.device.firmwareVersion, "abc1234-dirty")
        // Two updates without a version: slot 1, then slot 0 (the factory image is gone).
        config.versionSource = .release
        chip = try DeviceOnChip(config: config, factoryImage: TestImages.simple("abc1234-dirty"))
        for (i, name) in ["def5678", "0123abc"].enumerated() {
            chip.files[Self.imageURL + String(i)] = TestImages.simple(name, payload: 10_000)
            XCTAssertEqual(chip.request(.post, "/test_update", body: #"{"url":"\#(Self.imageURL + String(i))"}"#, id: UInt32(i + 1))?.status, 202)
            chip.run(for: .seconds(20))
            XCTAssertEqual(chip.device.firmwareVersion, name, "no release name given: the descriptor's")
        }
        XCTAssertEqual(chip.boots.last?.index, 0)
        XCTAssertTrue(chip.device.nvs.factoryImageReplaced)
    }

    func testPollsAreSpreadByJitterAroundTheInterval() throws {
        var waits: [Int64] = []
        for seed in 1...20 as ClosedRange<UInt64> {
            var config = DeviceHarness.config(seed: seed)
            config.manifestURL = Self.manifestURL
            config.manifestPollInterval = .seconds(60)
            config.manifestPollJitter = .seconds(30)
            var device = DeviceHarness(config: config)
            device.bootOnline()
            let first = try XCTUnwrap(device.device.nextDeadline)
            let start = device.now
            var at = first
            // The heartbeat may come first: tick until the manifest download is asked for.
            while !device.log.contains(where: { if case .startDownload = $0 { return true } else { return false } }) {
                at = try XCTUnwrap(device.device.nextDeadline)
                device.now = at
                device.send(.tick)
            }
            waits.append((at - start).milliseconds)
        }
        XCTAssertTrue(waits.allSatisfy { (30_000...90_000).contains($0) }, "\(waits)")
        XCTAssertGreaterThan(Set(waits).count, 15, "seeded per device, not one phase for the fleet")
        XCTAssertGreaterThan(waits.max()! - waits.min()!, 30_000, "spread over the jitter window")
    }

    func testWithoutJitterThePollKeepsTheExactInterval() throws {
        var config = DeviceHarness.config()
        config.manifestURL = Self.manifestURL
        config.manifestPollInterval = .seconds(60)
        var device = DeviceHarness(config: config)
        let booted = device.now
        device.bootOnline()
        device.run(for: .seconds(59))
        XCTAssertFalse(device.log.contains { if case .startDownload = $0 { return true } else { return false } })
        device.run(for: .seconds(1))
        XCTAssertTrue(device.log.contains(.startDownload(url: Self.manifestURL, rangeStart: 0)))
        XCTAssertEqual(device.now - booted, .seconds(60))
    }
}
