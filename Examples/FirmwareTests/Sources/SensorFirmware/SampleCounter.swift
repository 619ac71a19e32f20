import DeviceCore

/// The sensor's lifetime sample count, kept in two flash sectors of its own data partition, A/B:
/// each record is `SMPL`, a sequence number, the count and a CRC-32. A write erases the older
/// sector and writes the new record there, so a power cut in the middle leaves the other sector's
/// record intact; reading takes the valid record with the highest sequence number.
public struct SampleCounter: Equatable, Sendable {
    /// Where the two sectors start (the reference layout's `spiffs` partition).
    public static let offset = 0x61_0000
    public static let sectorSize = NORFlash.sectorSize
    static let magic: [UInt8] = Array("SMPL".utf8)

    /// The count as last persisted (or read back at start).
    public private(set) var persisted: UInt64 = 0
    /// Sequence number of the last good record, 0 before any.
    public private(set) var sequence: UInt32 = 0

    public init() {}

    /// Reads both sectors (at start-up) and keeps the newest valid record.
    public mutating func restore<Flash: FlashMemory>(from flash: Flash) {
        persisted = 0
        sequence = 0
        for sector in 0..<2 {
            guard let bytes = try? flash.read(offset: Self.offset + sector * Self.sectorSize, length: 20),
                  let record = Self.decode(bytes), record.sequence > sequence else { continue }
            sequence = record.sequence
            persisted = record.count
        }
    }

    /// The flash operations that persist `count`: erase the sector the last record is not in, then
    /// write the next record there.
    public mutating func persist(_ count: UInt64) -> [Action] {
        let next = sequence &+ 1
        let target = Self.offset + Int(next % 2) * Self.sectorSize
        sequence = next
        persisted = count
        return [.flash(.erase(offset: target, length: Self.sectorSize)), .flash(.write(offset: target, bytes: Self.encode(next, count)))]
    }

    static func encode(_ sequence: UInt32, _ count: UInt64) -> [UInt8] {
        var out = magic
        for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: sequence >> (8 * UInt32(i)))) }
        for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: count >> (8 * UInt64(i)))) }
        let crc = CRC32.zlib(out)
        for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: crc >> (8 * UInt32(i)))) }
        return out
    }

    static func decode(_ b: [UInt8]) -> (sequence: UInt32, count: UInt64)? {
        guard b.count >= 20, Array(b[0..<4]) == magic else { return nil }
        var crc: UInt32 = 0
        for i in 0..<4 { crc |= UInt32(b[16 + i]) << (8 * UInt32(i)) }
        guard CRC32.zlib(b[0..<16]) == crc else { return nil }
        var sequence: UInt32 = 0
        var count: UInt64 = 0
        for i in 0..<4 { sequence |= UInt32(b[4 + i]) << (8 * UInt32(i)) }
        for i in 0..<8 { count |= UInt64(b[8 + i]) << (8 * UInt64(i)) }
        return (sequence, count)
    }
}
