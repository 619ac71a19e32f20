/// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320) with ESP-IDF's and zlib's conventions.
public enum CRC32 {
    /// `esp_rom_crc32_le(crc, buf, len)`: continues a CRC from `crc` (inverted in and out), which is
    /// exactly zlib's `crc32(crc, buf, len)`. otadata uses `le(0xFFFFFFFF, seq)`.
    public static func le<C: Collection>(_ crc: UInt32, _ bytes: C) -> UInt32 where C.Element == UInt8 {
        var c = ~crc
        for byte in bytes {
            c = crc32Table[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8)
        }
        return ~c
    }

    /// zlib's plain `crc32(0, buf, len)`, as in Secure Boot V2 signature blocks.
    public static func zlib<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        le(0, bytes)
    }
}

private let crc32Table: [UInt32] = {
    var table: [UInt32] = []
    table.reserveCapacity(256)
    for n in 0..<256 {
        var c = UInt32(n)
        for _ in 0..<8 { c = (c & 1) != 0 ? (0xEDB8_8320 ^ (c >> 1)) : (c >> 1) }
        table.append(c)
    }
    return table
}()
