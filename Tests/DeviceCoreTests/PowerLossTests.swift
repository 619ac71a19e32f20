import XCTest
@testable import DeviceCore
import DeviceTestKit

/// Cuts power before, during and after every flash operation of a whole update (download, commit,
/// first boot, confirmation) and boots each resulting flash: some valid image must always boot,
/// the old one until the commit is complete, and the new one once it is confirmed.
final class PowerLossTests: XCTestCase {
    func sweep(rollback: Bool, chunk: Int, newImage: [UInt8] = TestImages.simple("1.1.0", payload: 30000),
               newVersion: String = "1.1.0") throws -> (cuts: Int, old: Int, new: Int) {
        let config = OTAConfig(chip: .esp32c6, rollbackEnabled: rollback)
        var chip = SimulatedChip<SoftwareCrypto>(config: config)
        try chip.install(TestImages.simple("1.0.0", payload: 9000), slot: 0)
        try chip.powerOn()
        let initial = chip.flash
        let bootOpsBefore = chip.bootFlashLog.count

        chip.start(OTARequest(url: "http://127.0.0.1/fw.bin", version: "1.1.0", origin: .httpUpdate), running: "1.0.0")
        chip.serve(newImage, limit: 12000)
        chip.send(.failed(.connectionLost))
        chip.advance(by: .seconds(1))
        chip.serve(newImage, from: chip.updater.progress.bytes, chunk: chunk)
        chip.runDeadlines()
        XCTAssertTrue(chip.rebootRequested)
        let commitEnd = chip.appFlashLog.count  // the last op is the otadata entry write
        let info = try chip.powerOn()
        XCTAssertEqual(info.firmwareVersion, newVersion)
        XCTAssertEqual(info.pendingVerify, rollback)
        chip.perform(chip.updater.confirmRunningImage(at: chip.now))
        XCTAssertEqual(try chip.powerOn().firmwareVersion, newVersion)

        // The whole life of the update, as flash saw it: app writes, then the first boot's, then the confirmation.
        let firstBoot = Array(chip.bootFlashLog[bootOpsBefore...].prefix(rollback ? 2 : 0))
        let confirm = Array(chip.appFlashLog[commitEnd...])
        let operations = Array(chip.appFlashLog[..<commitEnd]) + firstBoot + confirm
        XCTAssertEqual(confirm.count, rollback ? 2 : 0)

        let results = PowerCutSweep(bootloader: chip.bootloader).run(initial: initial, efuses: EFuses(), operations: operations)
        var old = 0, new = 0
        for r in results {
            let where_ = "\(r.cut)"
            guard case let .success(outcome) = r.outcome else { XCTFail("nothing booted after cut \(where_)"); continue }
            XCTAssertTrue(["1.0.0", newVersion].contains(outcome.app.version), where_)
            outcome.app.version == "1.0.0" ? (old += 1) : (new += 1)
            switch r.cut {
            case let .before(i) where i < commitEnd, let .during(i, _, _) where i < commitEnd - 1:
                XCTAssertEqual(outcome.app.version, "1.0.0", "not committed yet: " + where_)
            case let .during(i, _, _) where i == commitEnd - 1:
                XCTAssertEqual(outcome.app.version, "1.0.0", "half-written otadata entry must not count: " + where_)
            case .afterAll:
                XCTAssertEqual(outcome.app.version, newVersion)
                XCTAssertFalse(outcome.pendingVerify)
            default:
                break
            }
        }
        return (results.count, old, new)
    }

    func testEveryPowerCutDuringAnUpdateLeavesABootableImage() throws {
        for rollback in [true, false] {
            let r = try sweep(rollback: rollback, chunk: 4096)
            print("power-loss sweep (rollback \(rollback ? "on" : "off")): \(r.cuts) cut points tried, old image booted \(r.old), new image booted \(r.new)")
            XCTAssertGreaterThan(r.cuts, 60)
            XCTAssertGreaterThan(r.old, 0)
            XCTAssertGreaterThan(r.new, 0)
        }
    }

    func testEveryPowerCutDuringAnUpdateToTheRealImageLeavesABootableImage() throws {
        try Fixtures.require()
        let image = try Fixtures.bytes(TestImages.realC6Name)
        let r = try sweep(rollback: true, chunk: 64 * 1024, newImage: image, newVersion: "e097db2-dirty")
        print("power-loss sweep (real ESP32-C6 image, 1071616 bytes): \(r.cuts) cut points tried, old \(r.old), new \(r.new)")
        XCTAssertGreaterThan(r.cuts, 500)
    }

    func testUnalignedChunksAlsoSurviveEveryCut() throws {
        let r = try sweep(rollback: true, chunk: 1500)
        print("power-loss sweep (1500-byte chunks): \(r.cuts) cut points tried")
        XCTAssertGreaterThan(r.cuts, 100)
    }
}
