import DeviceCore
import DeviceTestKit
import XCTest

final class ChipTests: XCTestCase {
    let ota = OTAConfig(chip: .esp32c6)

    func testATornOperationLeavesTheSameBytesOnAnyStorageAsNORFlashDoes() throws {
        var seeded = NORFlash(size: 64 * 1024)
        try seeded.write(offset: 0, bytes: [UInt8](repeating: 0x12, count: 16 * 1024))
        for op in [FlashOperation.erase(offset: 0, length: 12288), .write(offset: 100, bytes: [1, 2, 3, 4, 5, 6, 7])] {
            for (n, d) in [(0, 2), (1, 2), (1, 3), (2, 3), (1, 1)] {
                var reference = seeded
                var torn = seeded
                try reference.applyInterrupted(op, numerator: n, denominator: d)
                try torn.applyTorn(op, numerator: n, denominator: d)
                XCTAssertEqual(try torn.read(offset: 0, length: 16 * 1024), try reference.read(offset: 0, length: 16 * 1024),
                               "\(op) cut at \(n)/\(d)")
            }
        }
    }

    func testAChipWithNothingBootableStaysDarkAndSaysWhy() {
        var chip = Chip<SoftwareCrypto, NORFlash>(ota: ota)
        XCTAssertNil(chip.powerOn())
        XCTAssertNotNil(chip.bootFailure)
        XCTAssertNil(chip.runningVersion)
        XCTAssertEqual(chip.boots, 1)
        XCTAssertEqual(chip.resetReason, .powerOn)
    }

    func testAChipThatKeepsNoBootOutcomeBootsAlikeAndKeepsOnlyTheVersion() throws {
        var full = Chip<SoftwareCrypto, NORFlash>(ota: ota)
        try full.install(TestImages.simple("1.0.0", payload: 5000), slot: 0)
        var slim = full
        slim.keepsBootOutcome = false
        for reason in [ResetReason.powerOn, .software] {
            XCTAssertEqual(slim.powerOn(reason), full.powerOn(reason))
            XCTAssertEqual(slim.runningVersion, "1.0.0")
            XCTAssertEqual(full.runningVersion, "1.0.0")
            XCTAssertEqual(slim.otadata, full.otadata, "the boot wrote the same otadata")
            XCTAssertNil(slim.lastBoot)
            XCTAssertFalse(try XCTUnwrap(full.lastBoot).log.isEmpty)
        }
        try slim.flash.apply(.erase(offset: ota.partitions.otaSlots[0].offset, length: 4096))
        XCTAssertNil(slim.powerOn())
        XCTAssertNil(slim.runningVersion, "dark: no version")
    }

    func testACopyOfAChipKeepsItsOwnNVSAndBootFailure() throws {
        var dark = Chip<SoftwareCrypto, NORFlash>(ota: ota)
        var copy = dark
        XCTAssertNil(dark.powerOn())
        XCTAssertNotNil(dark.bootFailure)
        XCTAssertNil(copy.bootFailure, "the copy never booted")
        copy.nvs = DeviceNVS(wifiCredentials: nil, bootCount: 3)
        XCTAssertEqual(copy.nvs?.bootCount, 3)
        XCTAssertNil(dark.nvs)
        try copy.install(TestImages.simple("1.0.0", payload: 5000), slot: 0)
        XCTAssertNotNil(copy.powerOn())
        XCTAssertNil(copy.bootFailure)
        XCTAssertNotNil(dark.bootFailure, "a boot of the copy changes nothing in the original")
    }

    func testTheChipBootsItsFactoryImageAndRecordsTheResetReason() throws {
        var chip = Chip<SoftwareCrypto, NORFlash>(ota: ota)
        try chip.install(TestImages.simple("1.0.0", payload: 5000), slot: 0)
        XCTAssertEqual(chip.powerOn(.software)?.firmwareVersion, "1.0.0")
        XCTAssertEqual(chip.resetReason, .software)
        XCTAssertEqual(chip.runningVersion, "1.0.0")
        XCTAssertEqual(chip.otadata.entries.count, 2)
    }

    func testARefusedFlashOperationChangesNothingAndIsCounted() throws {
        var chip = Chip<SoftwareCrypto, NORFlash>(ota: ota, flashSize: 64 * 1024)
        let before = try chip.flash.read(offset: 0, length: 4096)
        XCTAssertEqual(chip.perform(.flash(.erase(offset: 100, length: 4096))), .refused(.unalignedErase(offset: 100, length: 4096)))
        XCTAssertEqual(chip.perform(.flash(.write(offset: 64 * 1024 - 2, bytes: [0, 0, 0]))),
                       .refused(.outOfRange(offset: 64 * 1024 - 2, length: 3, flashSize: 64 * 1024)))
        XCTAssertEqual(chip.flashErrors.count, 2)
        XCTAssertEqual(try chip.flash.read(offset: 0, length: 4096), before)
        XCTAssertEqual(chip.perform(.log(.info, "not mine")), .notChip)
    }

    func testTheAntiRollbackCounterOnlyGrows() {
        var chip = Chip<SoftwareCrypto, NORFlash>(ota: ota)
        chip.perform(.burnSecureVersion(3))
        chip.perform(.burnSecureVersion(1))
        XCTAssertEqual(chip.efuses.secureVersion, 3)
    }

    func testEveryBootloaderComesFromTheOTASettings() {
        var settings = OTAConfig(chip: .esp32s3, rollbackEnabled: false, antiRollbackEnabled: true, chipRevision: 3)
        settings.partitions = .reference
        let loader = Chip<SoftwareCrypto, NORFlash>.bootloader(for: settings)
        XCTAssertEqual(loader.chip, .esp32s3)
        XCTAssertFalse(loader.rollbackEnabled)
        XCTAssertTrue(loader.antiRollbackEnabled)
        XCTAssertEqual(loader.chipRevision, 3)
    }
}
