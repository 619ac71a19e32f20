import XCTest
@testable import DeviceCore
import DeviceTestKit

/// End-to-end OTA through the updater, the flash and the bootloader, with the real ESP32-C6 image.
final class OTAUpdaterTests: XCTestCase {
    let running = "v2025.03.23.184616"
    let offered = "2025.03.25.124759"

    func freshChip(config: OTAConfig = OTAConfig(chip: .esp32c6), efuses: EFuses = EFuses()) throws -> SimulatedChip<SoftwareCrypto> {
        var chip = SimulatedChip<SoftwareCrypto>(config: config, efuses: efuses)
        try chip.install(TestImages.simple(running), slot: 0)
        XCTAssertEqual(try chip.powerOn(), BootInfo(slot: 0, firmwareVersion: running))
        return chip
    }

    func request(_ version: String?, force: Bool = false, sha256: [UInt8]? = nil, size: Int? = nil) -> OTARequest {
        OTARequest(url: "http://127.0.0.1:8080/fw.bin", version: version, sha256: sha256, size: size, force: force, origin: .mqttCommand)
    }

    func testFullUpdateGoesFromTriggerToConfirmedValid() throws {
        try Fixtures.require()
        let image = try Fixtures.bytes(TestImages.realC6Name)
        var chip = try freshChip()
        chip.start(request(offered, sha256: SoftwareSHA256.hash(image[...]), size: image.count), running: running)
        XCTAssertEqual(chip.updater.state.name, "connecting")
        XCTAssertEqual(chip.downloadStarts, [0])
        chip.serve(image, limit: image.count / 2)
        XCTAssertEqual(chip.updater.progress, OTAProgress(state: "downloading", bytes: image.count / 2,
                                                          total: image.count, percent: 50))
        chip.serve(image, from: chip.updater.progress.bytes, status: 206)
        XCTAssertEqual(chip.updater.state.name, "verifying")
        XCTAssertEqual(chip.otadata, OTAData.parse(try Fixtures.bytes("otadata/ota0_valid.bin")), "nothing committed before verification")
        chip.runDeadlines()
        XCTAssertTrue(chip.rebootRequested)
        XCTAssertEqual(try chip.flash.read(offset: 0x31_0000, length: image.count), image, "slot holds the exact file")
        XCTAssertEqual(chip.otadata.entries[1], .sealed(sequence: 2, state: .new))

        let info = try chip.powerOn()
        XCTAssertEqual(info, BootInfo(slot: 1, firmwareVersion: "e097db2-dirty", pendingVerify: true))
        XCTAssertEqual(chip.updater.state.name, "pending_verify")
        chip.advance(by: .seconds(5))
        chip.perform(chip.updater.confirmRunningImage(at: chip.now))
        XCTAssertEqual(chip.otadata.entries[1], .sealed(sequence: 2, state: .valid))
        XCTAssertEqual(chip.updater.state.name, "idle")
        XCTAssertNil(chip.updater.deadline)
        XCTAssertEqual(try chip.powerOn(), BootInfo(slot: 1, firmwareVersion: "e097db2-dirty"))
    }

    func testUnconfirmedImageRollsBackAndTheDeviceCanReportIt() throws {
        try Fixtures.require()
        let image = try Fixtures.bytes(TestImages.realC6Name)
        var chip = try freshChip(config: OTAConfig(chip: .esp32c6, confirmWithin: .seconds(20)))
        chip.start(request(offered), running: running)
        chip.serve(image)
        chip.runDeadlines()
        XCTAssertTrue(try chip.powerOn().pendingVerify)
        chip.advance(by: .seconds(19))
        XCTAssertFalse(chip.rebootRequested)
        chip.advance(by: .seconds(1))
        XCTAssertTrue(chip.rebootRequested, "no broker within 20 s: reboot")
        XCTAssertEqual(chip.otadata.entries[1].state, .pendingVerify, "the app itself writes nothing")
        XCTAssertEqual(try chip.powerOn(), BootInfo(slot: 0, firmwareVersion: running, rolledBackFrom: "e097db2-dirty"))
        XCTAssertEqual(chip.otadata.entries[1].state, .aborted)
        XCTAssertEqual(try chip.powerOn(), BootInfo(slot: 0, firmwareVersion: running), "rollback reported once")
    }

    func testRejectingTheRunningImageMarksItInvalidAndReboots() throws {
        var chip = try freshChip()
        chip.start(request("2025.04.01"), running: running)
        chip.serve(TestImages.simple("2025.04.01"))
        chip.runDeadlines()
        try chip.powerOn()
        chip.perform(chip.updater.rejectRunningImage(at: chip.now))
        XCTAssertTrue(chip.rebootRequested)
        XCTAssertEqual(chip.otadata.entries[1].state, .invalid)
        XCTAssertEqual(try chip.powerOn(), BootInfo(slot: 0, firmwareVersion: running))
    }

    func testDowngradeAndSameVersionAreRefusedUnlessForced() throws {
        var chip = try freshChip()
        for version in ["2025.03.23.184616", "v2025.03.23.184616", "2025.03.22.999999", "v2024.12.31"] {
            chip.start(request(version), running: running)
            XCTAssertEqual(chip.updater.state.name, "idle", version)
            guard case .notNewer? = chip.updater.lastError else { return XCTFail("\(version): \(String(describing: chip.updater.lastError))") }
        }
        XCTAssertEqual(chip.downloadStarts, [])
        XCTAssertTrue(chip.appFlashLog.isEmpty)
        chip.start(request("2025.03.22.999999", force: true), running: running)
        XCTAssertEqual(chip.downloadStarts, [0], "POST /test_update forces")
        XCTAssertNil(chip.updater.lastError)
    }

    func testDroppedDownloadResumesWithARangeFromTheLastWrittenByte() throws {
        try Fixtures.require()
        let image = try Fixtures.bytes(TestImages.realC6Name)
        var chip = try freshChip()
        chip.start(request(offered), running: running)
        chip.serve(image, limit: 300_000)
        let written = chip.updater.progress.bytes
        chip.send(.failed(.connectionLost))
        XCTAssertEqual(chip.updater.state.name, "retrying")
        chip.advance(by: .seconds(1))
        XCTAssertEqual(chip.downloadStarts, [0, written])
        chip.serve(image, from: written, status: 206)
        chip.runDeadlines()
        XCTAssertTrue(chip.rebootRequested)
        XCTAssertEqual(try chip.flash.read(offset: 0x31_0000, length: image.count), image)
        XCTAssertEqual(chip.appFlashLog.filter { if case .erase = $0 { return true } else { return false } }.count,
                       (image.count + 4095) / 4096 + 1, "each slot sector erased once, plus the otadata sector")
    }

    func testServerAnswering200ToARangeRestartsCleanly() throws {
        try Fixtures.require()
        let image = try Fixtures.bytes(TestImages.realC6Name)
        var chip = try freshChip()
        chip.start(request(offered), running: running)
        chip.serve(image, limit: 100_000)
        chip.send(.failed(.connectionLost))
        chip.advance(by: .seconds(1))
        XCTAssertNotEqual(chip.downloadStarts.last, 0)
        chip.serve(image, status: 200)
        chip.runDeadlines()
        XCTAssertTrue(chip.rebootRequested)
        XCTAssertEqual(try chip.flash.read(offset: 0x31_0000, length: image.count), image)
    }

    func testStalledDownloadIsCancelledAndResumedThenGivenUp() throws {
        var chip = try freshChip(config: OTAConfig(chip: .esp32c6, stallTimeout: .seconds(10), maxAttempts: 2))
        chip.start(request(offered), running: running)
        chip.send(.response(status: 200, contentLength: 1_071_616, rangeStart: 0))
        chip.advance(by: .seconds(10))
        XCTAssertEqual(chip.actions.suffix(2).first, .cancelDownload)
        XCTAssertEqual(chip.updater.state.name, "retrying")
        chip.advance(by: .seconds(1))
        XCTAssertEqual(chip.downloadStarts, [0, 0])
        chip.advance(by: .seconds(10))
        XCTAssertEqual(chip.updater.lastError, .downloadFailed(.timedOut, attempts: 2))
        XCTAssertEqual(chip.updater.state.name, "idle")
    }

    func testADownloadTrickledInsideTheStallTimeoutIsAbandonedAtTheDeadline() throws {
        // One byte every 29 s never trips a 30 s stall timer; the whole download has 120 s.
        var chip = try freshChip(config: OTAConfig(chip: .esp32c6, stallTimeout: .seconds(30), downloadDeadline: .seconds(120)))
        let before = chip.otadata
        let image = TestImages.simple(offered)
        chip.start(request(offered), running: running)
        chip.send(.response(status: 200, contentLength: image.count, rangeStart: 0))
        for i in 0..<4 {  // t = 29, 58, 87, 116
            chip.advance(by: .seconds(29))
            XCTAssertEqual(chip.updater.state.name, "downloading", "t = \((i + 1) * 29) s")
            chip.send(.data([image[i]]))
        }
        chip.advance(by: .seconds(3))
        XCTAssertNil(chip.updater.lastError, "119 s: still inside the deadline")
        chip.advance(by: .seconds(1))
        XCTAssertEqual(chip.updater.lastError?.kind, "download_deadline")
        XCTAssertEqual(chip.updater.lastError?.reason, "download not complete within 120 s")
        XCTAssertEqual(chip.updater.state.name, "idle")
        XCTAssertTrue(chip.actions.contains(.cancelDownload))
        XCTAssertEqual(chip.otadata, before)
        XCTAssertEqual(try chip.powerOn(), BootInfo(slot: 0, firmwareVersion: running), "the device stays on its image")
    }

    func testTheDownloadDeadlineCoversEveryResume() throws {
        var chip = try freshChip(config: OTAConfig(chip: .esp32c6, stallTimeout: .seconds(10), maxAttempts: 5, downloadDeadline: .seconds(25)))
        chip.start(request(offered), running: running)
        chip.send(.response(status: 200, contentLength: 1_000_000, rangeStart: 0))
        chip.advance(by: .seconds(10))  // stalled: retry in 1 s
        chip.advance(by: .seconds(1))
        chip.send(.response(status: 200, contentLength: 1_000_000, rangeStart: 0))
        chip.advance(by: .seconds(10))  // t = 21, stalled again: retry in 2 s
        chip.advance(by: .seconds(2))
        XCTAssertEqual(chip.updater.state.name, "connecting", "t = 23: the third attempt is out")
        XCTAssertNil(chip.updater.lastError)
        chip.advance(by: .seconds(2))
        XCTAssertEqual(chip.updater.lastError?.kind, "download_deadline", "t = 25, attempts left or not")
        XCTAssertEqual(chip.updater.state.name, "idle")
    }

    func testCorruptImageIsRejectedBeforeCommit() throws {
        try Fixtures.require()
        var chip = try freshChip()
        let before = chip.otadata
        chip.start(request(offered), running: running)
        chip.serve(try Fixtures.bytes("real/derived/firmware_2025.03.25.124759.flip_0x1000.bin"))
        XCTAssertEqual(chip.updater.lastError, .image(.checksumMismatch(stored: 0x95, computed: 0x94)))
        XCTAssertEqual(chip.otadata, before)
        XCTAssertFalse(chip.rebootRequested)
        XCTAssertEqual(try chip.powerOn(), BootInfo(slot: 0, firmwareVersion: running))
    }

    func testTruncatedAndEmptyDownloadsAreRejected() throws {
        try Fixtures.require()
        var chip = try freshChip()
        chip.start(request(offered), running: running)
        chip.serve(try Fixtures.bytes("real/derived/firmware_2025.03.25.124759.truncated_100000.bin"))
        XCTAssertEqual(chip.updater.lastError, .image(.truncated(offset: 100_000, expected: "segment 0")))
        chip.start(request(offered), running: running)
        chip.serve([])
        XCTAssertEqual(chip.updater.lastError, .image(.empty))
    }

    func testESP32ImageIsRefusedAtItsHeaderWithoutTouchingFlash() throws {
        try Fixtures.require()
        var chip = try freshChip()
        chip.start(request(offered), running: running)
        chip.serve(try Fixtures.bytes(TestImages.realESP32Name), chunk: 4096)
        XCTAssertEqual(chip.updater.lastError, .image(.chipMismatch(image: 0, device: 13)))
        XCTAssertTrue(chip.appFlashLog.isEmpty)
        XCTAssertEqual(chip.actions.filter { $0 == .cancelDownload }.count, 1)
    }

    func testCommandSizeAndHashMustMatch() throws {
        let image = TestImages.simple("2025.04.01", payload: 5000)
        var chip = try freshChip()
        chip.start(request("2025.04.01", size: image.count + 1), running: running)
        chip.serve(image)
        XCTAssertEqual(chip.updater.lastError, .sizeMismatch(expected: image.count + 1, actual: image.count))
        chip.start(request("2025.04.01", sha256: [UInt8](repeating: 0, count: 32)), running: running)
        chip.serve(image)
        chip.runDeadlines()
        XCTAssertEqual(chip.updater.lastError, .sha256Mismatch)
        XCTAssertFalse(chip.rebootRequested)
        chip.start(request("2025.04.01", size: 4 * 1024 * 1024), running: running)
        XCTAssertEqual(chip.updater.lastError, .tooLarge(size: 4 * 1024 * 1024, slotSize: 0x30_0000))
    }

    func testAntiRollbackRefusesLowerSecureVersionAndBurnsOnConfirm() throws {
        let config = OTAConfig(chip: .esp32c6, antiRollbackEnabled: true)
        var chip = try freshChip(config: config, efuses: EFuses(secureVersion: 0))
        chip.start(request("2025.04.01"), running: running)
        chip.serve(TestImages.simple("2025.04.01", secureVersion: 2))
        chip.runDeadlines()
        try chip.powerOn()
        chip.perform(chip.updater.confirmRunningImage(at: chip.now))
        XCTAssertEqual(chip.efuses.secureVersion, 2, "burned when confirmed")
        let flashOps = chip.appFlashLog.count
        chip.start(request("2025.05.01"), running: "2025.04.01")
        chip.serve(TestImages.simple("2025.05.01", secureVersion: 1, payload: 3000), chunk: 1024)
        XCTAssertEqual(chip.updater.lastError, .secureVersionTooLow(image: 1, efuse: 2))
        XCTAssertEqual(chip.appFlashLog.count, flashOps, "refused at the app descriptor: nothing of it written")
    }

    func testIllegalEventsAreIgnoredOrRefusedWithoutCrashing() throws {
        var chip = try freshChip()
        chip.send(.data([1, 2, 3]))
        chip.send(.finished)
        XCTAssertEqual(chip.updater.state.name, "idle")
        XCTAssertTrue(chip.appFlashLog.isEmpty)
        let nothing = chip.updater.confirmRunningImage(at: chip.now)
        XCTAssertEqual(nothing.actions, [], "nothing to confirm")
        XCTAssertNil(nothing.notice)
        XCTAssertNil(nothing.refusal)
        chip.start(request(offered), running: running)
        chip.start(request("2030.1"), running: running)
        XCTAssertEqual(chip.updater.state.name, "connecting", "second trigger does not disturb the first")
        XCTAssertNil(chip.updater.lastError)
        guard case .log(.error, let text)? = chip.actions.last else { return XCTFail() }
        XCTAssertEqual(text, "ota: refused: update already in progress (connecting)")
        chip.send(.response(status: 206, contentLength: 10, rangeStart: 500))
        XCTAssertEqual(chip.updater.lastError, .unexpectedRange(requested: 0, received: 500))
        chip.start(request(offered), running: running)
        chip.send(.response(status: 404, contentLength: nil, rangeStart: 0))
        XCTAssertEqual(chip.updater.lastError, .httpStatus(404))
    }

    func testEachRefusalComesBackTypedInTheOutputOfTheEventThatCausedIt() throws {
        var chip = try freshChip()
        let notNewer = chip.updater.start(request("2025.01.01"), running: running, at: chip.now)
        XCTAssertEqual(notNewer.refusal, .notNewer(offered: "2025.01.01", running: running))
        XCTAssertNil(notNewer.notice)
        let started = chip.updater.start(request(offered), running: running, at: chip.now)
        XCTAssertNil(started.refusal, "an accepted request refuses nothing")
        chip.perform(started)
        let busy = chip.updater.start(request("2030.1"), running: running, at: chip.now)
        XCTAssertEqual(busy.refusal, .busy(state: "connecting"), "a busy refusal is in the output though not in lastError")
        XCTAssertNil(chip.updater.lastError)
        let repeated = chip.updater.handle(.response(status: 404, contentLength: nil, rangeStart: 0), at: chip.now)
        XCTAssertEqual(repeated.refusal, .httpStatus(404))
        XCTAssertEqual(chip.updater.state.name, "idle")
        chip.perform(chip.updater.start(request(offered), running: running, at: chip.now))
        let again = chip.updater.handle(.response(status: 404, contentLength: nil, rangeStart: 0), at: chip.now)
        XCTAssertEqual(again.refusal, .httpStatus(404), "the same error twice is two refusals, each in its own output")
        let ignored = chip.updater.handle(.finished, at: chip.now)
        XCTAssertNil(ignored.refusal, "an event with no transfer is ignored, not refused")
        XCTAssertNil(ignored.notice)
    }

    func testARestartIsAskedForInTheOutputNeverAsARebootAction() throws {
        var chip = try freshChip()
        chip.start(request("2025.04.01"), running: running)
        chip.serve(TestImages.simple("2025.04.01"))
        chip.now = chip.now + .seconds(1)
        let verified = chip.updater.tick(at: chip.now)
        XCTAssertEqual(verified.notice, .updateInstalled(slot: 1))
        XCTAssertFalse(verified.actions.contains { if case .reboot = $0 { return true } else { return false } })
        chip.perform(verified)
        try chip.powerOn()
        let unconfirmed = chip.updater.tick(at: chip.now + .seconds(3600))
        XCTAssertEqual(unconfirmed.notice, .unconfirmed)
        XCTAssertFalse(unconfirmed.actions.contains { if case .reboot = $0 { return true } else { return false } })
    }

    func testAResumedResponseWhoseLengthWouldOverflowIsRefusedAndTheDeviceKeepsItsImage() throws {
        try Fixtures.require()
        let image = try Fixtures.bytes(TestImages.realC6Name)
        for length in [Int.max, Int.max - 100, Int(Int32.max)] {
            var chip = try freshChip()
            let before = chip.otadata
            chip.start(request(offered), running: running)
            chip.serve(image, limit: 100_000)
            let written = chip.updater.progress.bytes
            chip.send(.failed(.connectionLost))
            chip.advance(by: .seconds(1))
            XCTAssertEqual(chip.downloadStarts.last, written)
            // A resumed 206 at the right offset, with a Content-Length no slot can hold (on riscv32
            // `Int` is 32 bits, so 2147483647 is already the largest).
            chip.send(.response(status: 206, contentLength: length, rangeStart: written))
            guard case .tooLarge(_, let slotSize)? = chip.updater.lastError else {
                return XCTFail("\(length): \(String(describing: chip.updater.lastError))")
            }
            XCTAssertEqual(slotSize, 0x30_0000)
            XCTAssertEqual(chip.updater.state.name, "idle")
            XCTAssertEqual(chip.actions.filter { $0 == .cancelDownload }.count, 1, "the transfer is cancelled")
            XCTAssertEqual(chip.otadata, before, "nothing committed")
            XCTAssertEqual(try chip.powerOn(), BootInfo(slot: 0, firmwareVersion: running), "the device stays on its image")
        }
    }

    func testAnUpdateWhoseOtadataSequenceIsUsedUpIsRefusedAndTheDeviceKeepsItsImage() throws {
        // otadata selects ota_1 with sequence 0xFFFFFFFE: ota_0 would need the erased value.
        var chip = SimulatedChip<SoftwareCrypto>(config: OTAConfig(chip: .esp32c6))
        try chip.install(TestImages.simple(running), slot: 1)
        try chip.flash.write(offset: 0xD000, bytes: OTASelectEntry.sealed(sequence: 0xFFFF_FFFE, state: .valid).bytes)
        XCTAssertEqual(try chip.powerOn(), BootInfo(slot: 1, firmwareVersion: running))
        let before = chip.otadata
        chip.start(request("2025.04.01"), running: running)
        chip.serve(TestImages.simple("2025.04.01"))
        chip.runDeadlines()
        XCTAssertEqual(chip.updater.lastError, .otadata(.sequenceExhausted(active: 0xFFFF_FFFE)))
        XCTAssertFalse(chip.rebootRequested)
        XCTAssertEqual(chip.otadata, before, "otadata untouched")
        XCTAssertEqual(try chip.powerOn(), BootInfo(slot: 1, firmwareVersion: running), "the device stays on its image")
    }

    func testUpdateIsRefusedWhileTheRunningImageAwaitsConfirmation() throws {
        var chip = try freshChip()
        chip.start(request("2025.04.01"), running: running)
        chip.serve(TestImages.simple("2025.04.01"))
        chip.runDeadlines()
        try chip.powerOn()
        chip.start(request("2025.05.01"), running: "2025.04.01")
        XCTAssertEqual(chip.updater.lastError, .runningImageNotConfirmed)
        XCTAssertEqual(chip.updater.state.name, "pending_verify", "the confirmation window stays open")
        chip.perform(chip.updater.confirmRunningImage(at: chip.now))
        XCTAssertEqual(chip.otadata.entries[1].state, .valid)
    }
}
