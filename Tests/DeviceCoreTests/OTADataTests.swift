import XCTest
@testable import DeviceCore

/// otadata entries and ESP-IDF's app-side writes against the fixtures in `otadata/`.
final class OTADataTests: XCTestCase {
    func testEveryOtadataFileDecodesToItsExpectedEntries() throws {
        try Fixtures.require()
        let expected = try Fixtures.json("otadata/expected.json")
        for c in try XCTUnwrap(expected.array("cases")) {
            let bytes = try Fixtures.bytes("otadata/" + c.string("file")!)
            let data = OTAData.parse(bytes)
            for (entry, e) in zip(data.entries, try XCTUnwrap(c.array("entries"))) {
                XCTAssertEqual(Int(entry.sequence), e.int("ota_seq"), c.string("name")!)
                XCTAssertEqual(entry.state.name, e.string("ota_state_name"), c.string("name")!)
                XCTAssertEqual(Int(entry.crc), e.int("crc"), c.string("name")!)
                XCTAssertEqual(Int(OTASelectEntry.crc(for: entry.sequence)), e.int("crc_calculated"), c.string("name")!)
                XCTAssertEqual(entry.crcMatches, e.bool("crc_matches"), c.string("name")!)
                XCTAssertEqual(hexString(entry.sequenceLabel), e.string("seq_label_hex"), c.string("name")!)
            }
        }
    }

    func testEntryBytesRoundTrip() throws {
        try Fixtures.require()
        let bytes = try Fixtures.bytes("otadata/ota1_pending_verify.bin")
        let data = OTAData.parse(bytes)
        XCTAssertEqual(data.entries[0].bytes, Array(bytes[0..<32]))
        XCTAssertEqual(data.entries[1].bytes, Array(bytes[4096..<4128]))
    }

    /// otatool `switch_ota_partition` (rollback off: state stays UNDEFINED) made these two files.
    func testSetBootPartitionWithoutRollbackMatchesOtatoolByteForByte() throws {
        try Fixtures.require()
        var flash = try image(of: "otadata/fresh.bin")
        try apply(OTAData.parse(flash).settingBootSlot(0, slotCount: 2, rollbackEnabled: false), to: &flash)
        XCTAssertEqual(flash, try Fixtures.bytes("otadata/ota0_undefined.bin"))
        try apply(OTAData.parse(flash).settingBootSlot(1, slotCount: 2, rollbackEnabled: false), to: &flash)
        XCTAssertEqual(flash, try Fixtures.bytes("otadata/ota1_undefined.bin"))
    }

    func testSetBootPartitionWithRollbackWritesNextSequenceAsNew() throws {
        try Fixtures.require()
        let data = OTAData.parse(try Fixtures.bytes("otadata/ota0_valid.bin"))
        let w = try data.settingBootSlot(1, slotCount: 2, rollbackEnabled: true)
        XCTAssertEqual(w.sector, 1)
        XCTAssertEqual(w.entry, .sealed(sequence: 2, state: .new))
        var flash = try image(of: "otadata/ota0_valid.bin")
        try apply(w, to: &flash)
        XCTAssertEqual(flash, try Fixtures.bytes("otadata/ota1_new.bin"))
        // ESP-IDF picks the smallest sequence for the slot that is not below the active one: seq 3 again.
        let both = OTAData.parse(try Fixtures.bytes("otadata/seq3_both_valid.bin"))
        XCTAssertEqual(try both.settingBootSlot(0, slotCount: 2, rollbackEnabled: true).entry.sequence, 3)
        XCTAssertEqual(try both.settingBootSlot(0, slotCount: 2, rollbackEnabled: true).sector, 1)
        XCTAssertEqual(try both.settingBootSlot(1, slotCount: 2, rollbackEnabled: true).entry.sequence, 4)
    }

    func testSettingABootSlotPastTheLastSequenceIsRefusedAtOnce() throws {
        // The active entry (sector 0) selects ota_1 with the largest sequence a valid entry can have
        // but one. ota_0 would need 0xFFFFFFFF, the erased value: ESP-IDF counts 2^31 steps to reach it.
        let data = OTAData(entries: [.sealed(sequence: 0xFFFF_FFFE, state: .valid), .erased])
        XCTAssertEqual(data.activeIndex, 0)
        XCTAssertThrowsError(try data.settingBootSlot(0, slotCount: 2, rollbackEnabled: true)) {
            XCTAssertEqual($0 as? OTADataError, .sequenceExhausted(active: 0xFFFF_FFFE))
        }
        // The running slot itself is still selectable: its own sequence.
        XCTAssertEqual(try data.settingBootSlot(1, slotCount: 2, rollbackEnabled: true).entry.sequence, 0xFFFF_FFFE)
        let high = OTAData(entries: [.erased, .sealed(sequence: 0xFFFF_FFF0, state: .valid)])
        let w = try high.settingBootSlot(0, slotCount: 2, rollbackEnabled: false)
        XCTAssertEqual(w.sector, 0)
        XCTAssertEqual(w.entry, .sealed(sequence: 0xFFFF_FFF1, state: .undefined))
        XCTAssertThrowsError(try data.settingBootSlot(0, slotCount: 0, rollbackEnabled: true)) { XCTAssertEqual($0 as? OTADataError, .noSlots) }
        XCTAssertThrowsError(try data.settingBootSlot(2, slotCount: 2, rollbackEnabled: true)) { XCTAssertEqual($0 as? OTADataError, .noSuchSlot(2)) }
    }

    func testMarkValidRewritesActiveEntryAndIsANoOpWhenAlreadyValid() throws {
        try Fixtures.require()
        let pending = OTAData.parse(try Fixtures.bytes("otadata/after_boot/ota1_new.rollback_enabled.bin"))
        let w = try XCTUnwrap(pending.markingActive(.valid))
        XCTAssertEqual(w.sector, 1)
        XCTAssertEqual(w.entry, .sealed(sequence: 2, state: .valid))
        XCTAssertNil(pending.applying(sector: w.sector, entry: w.entry).markingActive(.valid))
        XCTAssertNil(OTAData.parse(try Fixtures.bytes("otadata/fresh.bin")).markingActive(.valid), "factory/none active")
    }

    private func image(of path: String) throws -> [UInt8] { try Fixtures.bytes(path) }

    private func apply(_ w: (sector: Int, entry: OTASelectEntry), to flash: inout [UInt8]) throws {
        let base = w.sector * 4096
        for i in 0..<4096 { flash[base + i] = 0xFF }
        flash.replaceSubrange(base..<(base + 32), with: w.entry.bytes)
    }
}
