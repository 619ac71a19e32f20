/// One row of an ESP-IDF partition table (`esp_partition_info_t`, 32 bytes).
public struct Partition: Equatable, Sendable {
    public var name: String
    /// 0 app, 1 data.
    public var type: UInt8
    /// For apps: 0x00 factory, 0x10 + n `ota_n`, 0x20 test. For data: 0x00 ota(data), 0x01 phy, 0x02 nvs, ...
    public var subtype: UInt8
    public var offset: Int
    public var size: Int
    public var flags: UInt32

    public init(name: String, type: UInt8, subtype: UInt8, offset: Int, size: Int, flags: UInt32 = 0) {
        self.name = name
        self.type = type
        self.subtype = subtype
        self.offset = offset
        self.size = size
        self.flags = flags
    }

    /// Index `n` of an `ota_n` app partition.
    public var otaSlot: Int? { type == 0 && subtype >= 0x10 && subtype < 0x20 ? Int(subtype - 0x10) : nil }
    public var isFactoryApp: Bool { type == 0 && subtype == 0 }
    public var isOTAData: Bool { type == 1 && subtype == 0 }
    public var range: Range<Int> { offset..<(offset + size) }
}

/// Why a partition table binary was refused.
public enum PartitionTableError: Error, Equatable, Sendable {
    case tooShort(Int)
    /// An entry neither starts with `aa 50`, nor is the MD5 row (`eb eb`), nor is erased (0xFF).
    case badEntryMagic(index: Int)
    case md5Mismatch
    /// Two partitions overlap, or one is not 4 KB aligned (apps must be 64 KB aligned).
    case badLayout(name: String)
}

/// The partition table as flashed at 0x8000 (`gen_esp32part.py` binary format), plus the
/// reference hardware's layout as the default.
public struct PartitionTable: Equatable, Sendable {
    public static let flashOffset = 0x8000
    public static let binarySize = 0xC00

    public var partitions: [Partition]
    /// The MD5 row's digest when the table has one.
    public var md5: [UInt8]?

    public init(partitions: [Partition], md5: [UInt8]? = nil) {
        self.partitions = partitions
        self.md5 = md5
    }

    /// Parses the 3072-byte binary; checks the MD5 row when present and the layout.
    public static func parse(_ bytes: [UInt8]) throws(PartitionTableError) -> PartitionTable {
        if bytes.count < binarySize { throw .tooShort(bytes.count) }
        var partitions: [Partition] = []
        var md5: [UInt8]?
        for index in 0..<(binarySize / 32) {
            let b = index * 32
            switch (bytes[b], bytes[b + 1]) {
            case (0xAA, 0x50):
                partitions.append(Partition(
                    name: cString(bytes, b + 12, 16), type: bytes[b + 2], subtype: bytes[b + 3],
                    offset: Int(bytes.le32(b + 4)), size: Int(bytes.le32(b + 8)), flags: bytes.le32(b + 28)))
                continue
            case (0xEB, 0xEB):
                let digest = Array(bytes[(b + 16)..<(b + 32)])
                if MD5.hash(Array(bytes[0..<b])) != digest { throw .md5Mismatch }
                md5 = digest
            case (0xFF, 0xFF):
                break
            default:
                throw .badEntryMagic(index: index)
            }
            break
        }
        let table = PartitionTable(partitions: partitions, md5: md5)
        try table.checkLayout()
        return table
    }

    private func checkLayout() throws(PartitionTableError) {
        for (i, p) in partitions.enumerated() {
            let alignment = p.type == 0 ? 0x10000 : 0x1000
            if p.offset % alignment != 0 || p.size <= 0 { throw .badLayout(name: p.name) }
            for q in partitions[(i + 1)...] where p.range.overlaps(q.range) { throw .badLayout(name: q.name) }
        }
    }

    /// The binary as gen_esp32part writes it (entries, MD5 row, 0xFF fill).
    public var binary: [UInt8] {
        var out: [UInt8] = []
        for p in partitions {
            out.append(contentsOf: [0xAA, 0x50, p.type, p.subtype])
            out.appendLE(UInt32(p.offset))
            out.appendLE(UInt32(p.size))
            var name = Array(p.name.utf8.prefix(16))
            while name.count < 16 { name.append(0) }
            out.append(contentsOf: name)
            out.appendLE(p.flags)
        }
        let digest = MD5.hash(out)
        out.append(contentsOf: [0xEB, 0xEB])
        out.append(contentsOf: [UInt8](repeating: 0xFF, count: 14))
        out.append(contentsOf: digest)
        while out.count < Self.binarySize { out.append(0xFF) }
        return out
    }

    public func partition(named name: String) -> Partition? { partitions.first { $0.name == name } }
    public var otaData: Partition? { partitions.first { $0.isOTAData } }
    public var factory: Partition? { partitions.first { $0.isFactoryApp } }
    /// OTA app slots ordered by index (`ota_0`, `ota_1`, ...).
    public var otaSlots: [Partition] {
        partitions.filter { $0.otaSlot != nil }.sorted { $0.otaSlot! < $1.otaSlot! }
    }

    /// The reference hardware (design.md): nvs 0x9000, otadata 0xd000 (8 KB), phy_init 0xf000,
    /// ota_0 0x10000 and ota_1 0x310000 (3 MB each), spiffs 0x610000, on 8 MB flash.
    public static let reference = PartitionTable(partitions: [
        Partition(name: "nvs", type: 1, subtype: 0x02, offset: 0x9000, size: 0x4000),
        Partition(name: "otadata", type: 1, subtype: 0x00, offset: 0xD000, size: 0x2000),
        Partition(name: "phy_init", type: 1, subtype: 0x01, offset: 0xF000, size: 0x1000),
        Partition(name: "ota_0", type: 0, subtype: 0x10, offset: 0x10000, size: 0x30_0000),
        Partition(name: "ota_1", type: 0, subtype: 0x11, offset: 0x31_0000, size: 0x30_0000),
        Partition(name: "spiffs", type: 1, subtype: 0x82, offset: 0x61_0000, size: 0x1F_0000),
    ])
}
