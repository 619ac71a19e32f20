import XCTest
@testable import DeviceCore

/// The bootloader against ESP-IDF v5.1.1's own decisions for every otadata fixture, in all
/// configurations (rollback off/on, with and without factory app, chosen image failing).
final class BootloaderTests: XCTestCase {
    static let factoryTable = PartitionTable(partitions: PartitionTable.reference.partitions.filter { $0.name != "spiffs" }
        + [Partition(name: "factory", type: 0, subtype: 0, offset: 0x61_0000, size: 0x10_0000)])

    static func image(_ version: String, secureVersion: UInt32 = 0, chip: ChipModel = .esp32c6) -> [UInt8] {
        AppImageBuilder.simple(chip: chip, version: version, secureVersion: secureVersion, payload: Array(version.utf8),
                               hasher: SoftwareSHA256.self)
    }

    func testEveryOtadataFileBootsTheSlotESPIDFBootsInEveryConfiguration() throws {
        try Fixtures.require()
        let expected = try Fixtures.json("otadata/expected.json")
        var runs = 0
        for c in try XCTUnwrap(expected.array("cases")) {
            let name = c.string("name")!
            let otadata = try Fixtures.bytes("otadata/" + c.string("file")!)
            for (config, value) in try XCTUnwrap(c.dict("esp_idf_boot")) {
                let run = try XCTUnwrap(value as? [String: Any])
                let label = name + " / " + config
                let factory = config.contains("with_factory")
                let failing: Int? = config.contains("ota_0_image_fails") ? 0 : (config.contains("ota_1_image_fails") ? 1 : nil)
                let table = factory ? Self.factoryTable : PartitionTable.reference
                var flash = NORFlash()
                try flash.write(offset: 0xD000, bytes: otadata)
                for (i, slot) in table.otaSlots.enumerated() where i != failing {
                    try flash.write(offset: slot.offset, bytes: Self.image("app\(i)"))
                }
                if let f = table.factory { try flash.write(offset: f.offset, bytes: Self.image("factory")) }
                let loader = Bootloader<SoftwareCrypto>(chip: .esp32c6, partitions: table, rollbackEnabled: config.hasPrefix("rollback_enabled"))
                var efuses = EFuses()
                let before = flash
                let outcome = try loader.boot(flash: &flash, efuses: &efuses)
                runs += 1

                XCTAssertEqual(outcome.decision.startIndex, run.int("selected_index"), label)
                let booted = outcome.index < 0 ? "factory" : "ota_\(outcome.index)"
                XCTAssertEqual(booted, run.string("booted"), label)
                XCTAssertEqual(outcome.app.version, outcome.index < 0 ? "factory" : "app\(outcome.index)", label)
                XCTAssertEqual(outcome.log, run["log"] as? [String], label)
                let writes = outcome.flashOperations.compactMap { op -> [Int]? in
                    guard case let .write(offset, bytes) = op else { return nil }
                    let e = OTASelectEntry.parse(bytes)
                    return [offset, Int(e.sequence), Int(e.state.rawValue), Int(e.crc)]
                }
                let expectedWrites = try XCTUnwrap(run.array("otadata_writes")).map {
                    [$0.int("flash_offset")!, $0.int("ota_seq")!, $0.int("ota_state")!, $0.int("crc")!]
                }
                XCTAssertEqual(writes, expectedWrites, label)
                XCTAssertEqual(outcome.flashOperations.count, 2 * expectedWrites.count, "each write is erase + program")
                if let after = run.string("otadata_after") {
                    XCTAssertEqual(try flash.read(offset: 0xD000, length: 8192), try Fixtures.bytes("otadata/" + after), label)
                } else if expectedWrites.isEmpty {
                    XCTAssertEqual(flash, before, label + ": no writes means flash unchanged")
                }
                XCTAssertEqual(OTAData.parse(try flash.read(offset: 0xD000, length: 8192)), outcome.otadata, label)
            }
        }
        XCTAssertEqual(runs, 60)
    }

    func testPendingVerifyImageIsAbortedAndTheOldSlotReportsTheRollback() throws {
        try Fixtures.require()
        var flash = NORFlash()
        try flash.write(offset: 0xD000, bytes: try Fixtures.bytes("otadata/ota1_pending_verify.bin"))
        try flash.write(offset: 0x10000, bytes: Self.image("1.0.0"))
        try flash.write(offset: 0x31_0000, bytes: Self.image("2.0.0"))
        var efuses = EFuses()
        let outcome = try Bootloader<SoftwareCrypto>(chip: .esp32c6).boot(flash: &flash, efuses: &efuses)
        XCTAssertEqual(outcome.bootInfo, BootInfo(slot: 0, firmwareVersion: "1.0.0", pendingVerify: false, rolledBackFrom: "2.0.0"))
    }

    /// A fleet's devices keep the otadata their first boot left until they update: every device
    /// holds the same buffer, not a copy (`OTAData.firstBoot`), and a later write still copies.
    func testFirstBootOtadataIsOneBufferSharedByEveryFactoryFreshChip() throws {
        try Fixtures.require()
        func firstBoot() throws -> OTAData {
            var flash = NORFlash()
            try flash.write(offset: 0x10000, bytes: Self.image("1.0.0"))
            var efuses = EFuses()
            return try Bootloader<SoftwareCrypto>(chip: .esp32c6).boot(flash: &flash, efuses: &efuses).otadata
        }
        func buffer(_ otadata: OTAData) -> UnsafeRawPointer? { otadata.entries.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) } }
        let a = try firstBoot(), b = try firstBoot()
        XCTAssertEqual(a.entries, [.sealed(sequence: 1, state: .valid), .erased])
        XCTAssertEqual(buffer(a), buffer(b))
        var updated = a
        updated.entries[1] = .sealed(sequence: 2, state: .new)
        XCTAssertEqual(a.entries[1], .erased, "a write copies the shared value first")
        XCTAssertNotEqual(buffer(updated), buffer(a))
    }

    func testNewImageBootsPendingVerifyWithRollbackOn() throws {
        try Fixtures.require()
        var flash = NORFlash()
        try flash.write(offset: 0xD000, bytes: try Fixtures.bytes("otadata/ota1_new.bin"))
        try flash.write(offset: 0x10000, bytes: Self.image("1.0.0"))
        try flash.write(offset: 0x31_0000, bytes: Self.image("2.0.0"))
        var efuses = EFuses()
        let outcome = try Bootloader<SoftwareCrypto>(chip: .esp32c6).boot(flash: &flash, efuses: &efuses)
        XCTAssertEqual(outcome.bootInfo, BootInfo(slot: 1, firmwareVersion: "2.0.0", pendingVerify: true))
    }

    func testAnImageForAnotherChipOrBelowTheSecureVersionDoesNotBoot() throws {
        try Fixtures.require()
        var flash = NORFlash()
        try flash.write(offset: 0xD000, bytes: try Fixtures.bytes("otadata/ota1_undefined.bin"))
        try flash.write(offset: 0x10000, bytes: Self.image("1.0.0", secureVersion: 2))
        try flash.write(offset: 0x31_0000, bytes: try Fixtures.bytes("real/firmware_2025.03.23.184616.bin"))  // ESP32
        let loader = Bootloader<SoftwareCrypto>(chip: .esp32c6, rollbackEnabled: false, antiRollbackEnabled: true)
        XCTAssertThrowsError(try loader.verify(PartitionTable.reference.otaSlots[1], flash: flash, efuses: EFuses())) {
            XCTAssertEqual($0 as? BootImageError, .image(.chipMismatch(image: 0, device: 13)))
        }
        // Anti-rollback: the entry for ota_1 does not count (its image is below the eFuse), so
        // ota_0 is selected directly; nothing is rolled back.
        var efuses = EFuses(secureVersion: 2)
        let outcome = try loader.boot(flash: &flash, efuses: &efuses)
        XCTAssertEqual(outcome.bootInfo, BootInfo(slot: 0, firmwareVersion: "1.0.0"))
        XCTAssertTrue(outcome.log.contains("D (boot) OTA slot 1 has an app with secure_version, this version is smaller than in the device. This OTA slot will not be selected."))
        XCTAssertEqual(outcome.decision.startIndex, 0)
        efuses = EFuses(secureVersion: 3)
        XCTAssertThrowsError(try loader.boot(flash: &flash, efuses: &efuses)) {
            guard case let .noBootableApp(log) = $0 as? BootError else { return XCTFail("\($0)") }
            XCTAssertEqual(log.last, "E (boot) No bootable app partitions in the partition table")
        }
    }

    func testAntiRollbackBurnsTheSecureVersionOfAValidImageAtBoot() throws {
        try Fixtures.require()
        var flash = NORFlash()
        try flash.write(offset: 0xD000, bytes: try Fixtures.bytes("otadata/ota0_valid.bin"))
        try flash.write(offset: 0x10000, bytes: Self.image("1.0.0", secureVersion: 4))
        var efuses = EFuses(secureVersion: 1)
        let loader = Bootloader<SoftwareCrypto>(chip: .esp32c6, antiRollbackEnabled: true)
        XCTAssertEqual(try loader.boot(flash: &flash, efuses: &efuses).index, 0)
        XCTAssertEqual(efuses.secureVersion, 4)
        // A fresh otadata: both initial, every slot tried, the booted one recorded and burned.
        var fresh = NORFlash()
        try fresh.write(offset: 0x31_0000, bytes: Self.image("2.0.0", secureVersion: 6))
        let outcome = try loader.boot(flash: &fresh, efuses: &efuses)
        XCTAssertEqual(outcome.index, 1)
        XCTAssertEqual(outcome.decision.startIndex, -1)
        XCTAssertEqual(OTAData.parse(try fresh.read(offset: 0xD000, length: 8192)).entries[0], .sealed(sequence: 2, state: .valid))
        XCTAssertEqual(efuses.secureVersion, 6)
    }

    /// Both entries ABORTED/INVALID but with good CRCs are not "initial": ota_0 is tried, but
    /// nothing is recorded in otadata.
    func testATableWithOtadataButNoOTASlotsBootsTheFactoryAppOrNothingInEveryConfiguration() throws {
        func otadata(_ e0: OTASelectEntry, _ e1: OTASelectEntry) -> [UInt8] {
            var bytes = [UInt8](repeating: 0xFF, count: OTAData.partitionSize)
            bytes.replaceSubrange(0..<32, with: e0.bytes)
            bytes.replaceSubrange(4096..<4128, with: e1.bytes)
            return bytes
        }
        let contents: [(String, [UInt8])] = [
            ("erased", otadata(.erased, .erased)),
            ("ota_0 valid", otadata(.sealed(sequence: 1, state: .valid), .erased)),
            ("ota_1 pending", otadata(.sealed(sequence: 1, state: .valid), .sealed(sequence: 2, state: .pendingVerify))),
            ("ota_1 new", otadata(.sealed(sequence: 1, state: .valid), .sealed(sequence: 2, state: .new))),
            ("bad crc", otadata(OTASelectEntry(sequence: 1, state: .valid, crc: 7), .erased)),
        ]
        for factory in [false, true] {
            var partitions = PartitionTable.reference.partitions.filter { $0.otaSlot == nil }
            if factory { partitions.append(Partition(name: "factory", type: 0, subtype: 0, offset: 0x10000, size: 0x10_0000)) }
            let table = PartitionTable(partitions: partitions)
            XCTAssertTrue(table.otaSlots.isEmpty)
            XCTAssertNotNil(table.otaData)
            for (name, bytes) in contents {
                for (rollback, antiRollback) in [(false, false), (true, false), (false, true), (true, true)] {
                    let label = name + (factory ? " with factory" : "") + " rollback=\(rollback) antiRollback=\(antiRollback)"
                    var flash = NORFlash()
                    try flash.write(offset: 0xD000, bytes: bytes)
                    if factory { try flash.write(offset: 0x10000, bytes: Self.image("factory")) }
                    var efuses = EFuses()
                    let loader = Bootloader<SoftwareCrypto>(chip: .esp32c6, partitions: table, rollbackEnabled: rollback,
                                                            antiRollbackEnabled: antiRollback)
                    if factory {
                        let outcome = try loader.boot(flash: &flash, efuses: &efuses)
                        XCTAssertEqual(outcome.index, -1, label)
                        XCTAssertEqual(outcome.app.version, "factory", label)
                        XCTAssertNil(outcome.rolledBackFrom, label + ": there is no slot to roll back from")
                    } else {
                        XCTAssertThrowsError(try loader.boot(flash: &flash, efuses: &efuses), label) {
                            guard case let .noBootableApp(log) = $0 as? BootError else { return XCTFail(label + ": \($0)") }
                            XCTAssertEqual(log.last, "E (boot) No bootable app partitions in the partition table", label)
                        }
                    }
                }
            }
        }
    }

    func testBothEntriesAbortedBootsOTA0WithoutRecording() throws {
        var flash = NORFlash()
        let aborted = OTAData(entries: [.sealed(sequence: 1, state: .aborted), .sealed(sequence: 2, state: .invalid)])
        for (i, e) in aborted.entries.enumerated() { try flash.write(offset: 0xD000 + i * 4096, bytes: e.bytes) }
        try flash.write(offset: 0x10000, bytes: Self.image("1.0.0"))
        var efuses = EFuses()
        let outcome = try Bootloader<SoftwareCrypto>(chip: .esp32c6).boot(flash: &flash, efuses: &efuses)
        XCTAssertEqual(outcome.index, 0)
        XCTAssertEqual(outcome.flashOperations, [])
        XCTAssertEqual(outcome.decision.rule, .noEntriesTryOTA0)
        XCTAssertFalse(outcome.decision.recordsBootedSlot)
    }

    func testRealESP32C6ImageBootsAndItsVersionIsReported() throws {
        try Fixtures.require()
        var flash = NORFlash()
        try flash.write(offset: 0x10000, bytes: try Fixtures.bytes("real/firmware_2025.03.25.124759.bin"))
        var efuses = EFuses()
        let outcome = try Bootloader<SoftwareCrypto>(chip: .esp32c6).boot(flash: &flash, efuses: &efuses)
        XCTAssertEqual(outcome.index, 0)
        XCTAssertEqual(outcome.app.version, "e097db2-dirty")
        XCTAssertEqual(try flash.read(offset: 0xD000, length: 8192), try Fixtures.bytes("otadata/after_boot/fresh.rollback_enabled.bin"))
    }

    func testSecureBootRefusesAnUnsignedImageAndAcceptsASignedOneWithTrustedKey() throws {
        try Fixtures.require()
        var flash = NORFlash()
        let signed = try Fixtures.bytes("signing/signed_ecdsa256.bin")
        try flash.write(offset: 0x10000, bytes: signed)
        try flash.write(offset: 0x31_0000, bytes: try Fixtures.bytes("real/firmware_2025.03.25.124759.bin"))
        let loader = Bootloader<EchoCrypto>(chip: .esp32c6)
        let trusted = EFuses(keyDigests: [try Fixtures.bytes("signing/keys/ecdsa256_a.pub.sbv2_digest.bin")], secureBootEnabled: true)
        XCTAssertNoThrow(try loader.verify(PartitionTable.reference.otaSlots[0], flash: flash, efuses: trusted))
        XCTAssertThrowsError(try loader.verify(PartitionTable.reference.otaSlots[1], flash: flash, efuses: trusted)) {
            XCTAssertEqual($0 as? BootImageError, .signature(.missing))
        }
        let other = EFuses(keyDigests: [try Fixtures.bytes("signing/keys/ecdsa256_b.pub.sbv2_digest.bin")], secureBootEnabled: true)
        XCTAssertThrowsError(try loader.verify(PartitionTable.reference.otaSlots[0], flash: flash, efuses: other)) {
            XCTAssertEqual($0 as? BootImageError, .signature(.untrustedKey(index: 0)))
        }
    }
}
