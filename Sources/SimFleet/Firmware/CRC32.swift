/// zlib's CRC-32 (reflected, polynomial 0xEDB88320), which a Secure Boot V2 block stores over
/// its first 1196 bytes.
enum CRC32 {
    static func zlib<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
