import XCTest
@testable import DeviceCore

final class NORFlashTests: XCTestCase {
    func testErasedFlashReadsAllOnesAndStoresNothing() throws {
        let flash = NORFlash(size: 64 * 1024)
        XCTAssertEqual(try flash.read(offset: 4000, length: 200), [UInt8](repeating: 0xFF, count: 200))
        XCTAssertEqual(flash.storedSectorCount, 0)
    }

    func testWriteOnlyClearsBitsUntilErased() throws {
        var flash = NORFlash(size: 64 * 1024)
        try flash.write(offset: 4094, bytes: [0xF0, 0x0F, 0xAA])  // spans two sectors
        try flash.write(offset: 4094, bytes: [0x3C, 0xFF, 0x55])
        XCTAssertEqual(try flash.read(offset: 4094, length: 3), [0x30, 0x0F, 0x00])
        XCTAssertEqual(flash.storedSectorCount, 2)
        try flash.erase(offset: 0, length: 4096)
        XCTAssertEqual(try flash.read(offset: 4094, length: 3), [0xFF, 0xFF, 0x00])
    }

    func testOutOfRangeAndUnalignedOperationsAreTypedErrors() {
        var flash = NORFlash(size: 8192)
        XCTAssertThrowsError(try flash.write(offset: 8190, bytes: [1, 2, 3])) {
            XCTAssertEqual($0 as? FlashError, .outOfRange(offset: 8190, length: 3, flashSize: 8192))
        }
        XCTAssertThrowsError(try flash.erase(offset: 100, length: 4096)) {
            XCTAssertEqual($0 as? FlashError, .unalignedErase(offset: 100, length: 4096))
        }
        XCTAssertThrowsError(try flash.read(offset: -1, length: 1))
        XCTAssertEqual(flash.storedSectorCount, 0, "a refused operation changes nothing")
    }

    func testInterruptedOperationsApplyOnlyTheirFirstPart() throws {
        var flash = NORFlash(size: 16384)
        try flash.write(offset: 0, bytes: [UInt8](repeating: 0, count: 12288))
        try flash.applyInterrupted(.erase(offset: 0, length: 12288), numerator: 1, denominator: 2)
        XCTAssertEqual(try flash.read(offset: 0, length: 4096), [UInt8](repeating: 0xFF, count: 4096))
        XCTAssertEqual(try flash.read(offset: 4096, length: 2048), [UInt8](repeating: 0xFF, count: 2048))
        XCTAssertEqual(try flash.read(offset: 6144, length: 2048), [UInt8](repeating: 0, count: 2048))
        try flash.applyInterrupted(.write(offset: 0, bytes: [1, 2, 3, 4]), numerator: 1, denominator: 2)
        XCTAssertEqual(try flash.read(offset: 0, length: 4), [1, 2, 0xFF, 0xFF])
    }
}

final class PartitionTableTests: XCTestCase {
    func testProjectTableMatchesGenEsp32partAndTheReferenceLayout() throws {
        try Fixtures.require()
        let expected = try Fixtures.json("partitions/partitions.expected.json")
        for t in try XCTUnwrap(expected.array("tables")) {
            let bytes = try Fixtures.bytes("partitions/" + t.string("bin")!)
            let table = try PartitionTable.parse(bytes)
            let entries = try XCTUnwrap(t.array("entries"))
            XCTAssertEqual(table.partitions.count, entries.count)
            for (p, e) in zip(table.partitions, entries) {
                XCTAssertEqual(p.name, e.string("name"))
                XCTAssertEqual(Int(p.type), e.int("type"))
                XCTAssertEqual(Int(p.subtype), e.int("subtype"))
                XCTAssertEqual(p.offset, e.int("offset"))
                XCTAssertEqual(p.size, e.int("size"))
                XCTAssertEqual(Int(p.flags), e.int("flags"))
            }
            XCTAssertNotNil(table.md5, "CONFIG_PARTITION_TABLE_MD5=y")
            XCTAssertEqual(table.binary, bytes, "re-encoding is byte-identical to gen_esp32part")
        }
        let project = try PartitionTable.parse(try Fixtures.bytes("partitions/partitions.bin"))
        XCTAssertEqual(project, PartitionTable(partitions: PartitionTable.reference.partitions, md5: project.md5))
        XCTAssertEqual(project.otaSlots.map(\.name), ["ota_0", "ota_1"])
        XCTAssertEqual(project.otaData?.offset, 0xD000)
    }

    func testStockTableHasAFactoryApp() throws {
        try Fixtures.require()
        let table = try PartitionTable.parse(try Fixtures.bytes("partitions/partitions_two_ota.bin"))
        XCTAssertEqual(table.factory?.name, "factory")
        XCTAssertEqual(table.otaSlots.count, 2)
    }

    func testCorruptedTableIsRefused() throws {
        try Fixtures.require()
        var bytes = try Fixtures.bytes("partitions/partitions.bin")
        bytes[20] ^= 1
        XCTAssertThrowsError(try PartitionTable.parse(bytes)) { XCTAssertEqual($0 as? PartitionTableError, .md5Mismatch) }
        bytes[0] = 0x12
        XCTAssertThrowsError(try PartitionTable.parse(bytes)) { XCTAssertEqual($0 as? PartitionTableError, .badEntryMagic(index: 0)) }
        XCTAssertThrowsError(try PartitionTable.parse([0xFF])) { XCTAssertEqual($0 as? PartitionTableError, .tooShort(1)) }
    }
}
