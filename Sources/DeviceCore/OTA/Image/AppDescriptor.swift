/// `esp_app_desc_t`: what the app says about itself, at the start of the first segment's data
/// (file offset 32). ESP-IDF reads `secure_version` from it for anti-rollback.
public struct AppDescriptor: Equatable, Sendable {
    public static let size = 256
    public static let magic: UInt32 = 0xABCD_5432
    /// File offset of the descriptor in an app image (24-byte header + 8-byte segment header).
    public static let fileOffset = 32

    public var magicWord: UInt32
    public var secureVersion: UInt32
    /// `version[32]`: PROJECT_VER, often a git describe (`e097db2-dirty`).
    public var version: String
    public var projectName: String
    public var time: String
    /// C `__DATE__` (`Mar 25 2025`, a one-digit day padded with a space).
    public var date: String
    public var idfVersion: String
    public var appELFSHA256: [UInt8]
    /// `min_efuse_blk_rev_full` / `max_efuse_blk_rev_full` (zero on IDF before 5.3).
    public var minEfuseBlockRevisionFull: UInt16
    public var maxEfuseBlockRevisionFull: UInt16

    public init(magicWord: UInt32 = AppDescriptor.magic, secureVersion: UInt32, version: String, projectName: String,
                time: String, date: String, idfVersion: String, appELFSHA256: [UInt8],
                minEfuseBlockRevisionFull: UInt16 = 0, maxEfuseBlockRevisionFull: UInt16 = 0) {
        self.magicWord = magicWord
        self.secureVersion = secureVersion
        self.version = version
        self.projectName = projectName
        self.time = time
        self.date = date
        self.idfVersion = idfVersion
        self.appELFSHA256 = appELFSHA256
        self.minEfuseBlockRevisionFull = minEfuseBlockRevisionFull
        self.maxEfuseBlockRevisionFull = maxEfuseBlockRevisionFull
    }

    /// Parses 256 bytes; throws on a wrong magic word.
    public static func parse<C: RandomAccessCollection>(_ bytes: C) throws(ImageError) -> AppDescriptor
    where C.Element == UInt8, C.Index == Int {
        if bytes.count < size { throw .missingAppDescriptor }
        let b = bytes.startIndex
        let magicWord = bytes.le32(b)
        if magicWord != magic { throw .badAppDescriptorMagic(magicWord) }
        return AppDescriptor(
            magicWord: magicWord, secureVersion: bytes.le32(b + 4),
            version: cString(bytes, b + 16, 32), projectName: cString(bytes, b + 48, 32),
            time: cString(bytes, b + 80, 16), date: cString(bytes, b + 96, 16),
            idfVersion: cString(bytes, b + 112, 32), appELFSHA256: Array(bytes[(b + 144)..<(b + 176)]),
            minEfuseBlockRevisionFull: bytes.le16(b + 176), maxEfuseBlockRevisionFull: bytes.le16(b + 178))
    }
}

/// A NUL-terminated fixed-size C string field as text (invalid UTF-8 is repaired).
func cString<C: RandomAccessCollection>(_ bytes: C, _ start: Int, _ length: Int) -> String
where C.Element == UInt8, C.Index == Int {
    var end = start
    while end < start + length && bytes[end] != 0 { end += 1 }
    return String(decoding: bytes[start..<end], as: UTF8.self)
}
