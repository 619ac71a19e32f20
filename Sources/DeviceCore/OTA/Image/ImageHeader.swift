/// `esp_image_header_t`: the 24 bytes at the start of every ESP-IDF app image.
public struct ImageHeader: Equatable, Sendable {
    public static let size = 24
    public static let magic: UInt8 = 0xE9
    public static let maxSegments = 16

    public var magic: UInt8
    public var segmentCount: Int
    /// SPI mode (0 QIO, 1 QOUT, 2 DIO, 3 DOUT).
    public var spiMode: UInt8
    /// Low nibble of byte 3: flash frequency code (chip-specific meaning).
    public var spiSpeed: UInt8
    /// High nibble of byte 3: flash size code (0 = 1MB, 1 = 2MB, 2 = 4MB, 3 = 8MB, 4 = 16MB, ...).
    public var spiSize: UInt8
    public var entryAddress: UInt32
    public var wpPin: UInt8
    /// `spi_pin_drv[3]` raw bytes.
    public var spiPinDrive: [UInt8]
    public var chipID: UInt16
    /// Deprecated `min_chip_rev` byte.
    public var minChipRevisionLegacy: UInt8
    /// `min_chip_rev_full`: major * 100 + minor.
    public var minChipRevisionFull: UInt16
    /// `max_chip_rev_full`; 0 and 0xFFFF mean "no maximum".
    public var maxChipRevisionFull: UInt16
    public var hashAppended: Bool

    public init(magic: UInt8 = ImageHeader.magic, segmentCount: Int, spiMode: UInt8, spiSpeed: UInt8, spiSize: UInt8,
                entryAddress: UInt32, wpPin: UInt8, spiPinDrive: [UInt8], chipID: UInt16, minChipRevisionLegacy: UInt8,
                minChipRevisionFull: UInt16, maxChipRevisionFull: UInt16, hashAppended: Bool) {
        self.magic = magic
        self.segmentCount = segmentCount
        self.spiMode = spiMode
        self.spiSpeed = spiSpeed
        self.spiSize = spiSize
        self.entryAddress = entryAddress
        self.wpPin = wpPin
        self.spiPinDrive = spiPinDrive
        self.chipID = chipID
        self.minChipRevisionLegacy = minChipRevisionLegacy
        self.minChipRevisionFull = minChipRevisionFull
        self.maxChipRevisionFull = maxChipRevisionFull
        self.hashAppended = hashAppended
    }

    /// Parses the first 24 bytes of `bytes`; checks only the magic (the rest depends on the device).
    public static func parse<C: RandomAccessCollection>(_ bytes: C) throws(ImageError) -> ImageHeader
    where C.Element == UInt8, C.Index == Int {
        if bytes.isEmpty { throw .empty }
        let b = bytes.startIndex
        if bytes[b] != magic { throw .badMagic(bytes[b]) }
        if bytes.count < size { throw .truncated(offset: bytes.count, expected: "image header") }
        return ImageHeader(
            magic: bytes[b], segmentCount: Int(bytes[b + 1]), spiMode: bytes[b + 2],
            spiSpeed: bytes[b + 3] & 0x0F, spiSize: bytes[b + 3] >> 4, entryAddress: bytes.le32(b + 4),
            wpPin: bytes[b + 8], spiPinDrive: [bytes[b + 9], bytes[b + 10], bytes[b + 11]],
            chipID: bytes.le16(b + 12), minChipRevisionLegacy: bytes[b + 14],
            minChipRevisionFull: bytes.le16(b + 15), maxChipRevisionFull: bytes.le16(b + 17),
            hashAppended: bytes[b + 23] == 1)
    }

    /// Flash size as esptool names it (`8MB`), from the high nibble of byte 3.
    public var flashSizeName: String {
        let names = ["1MB", "2MB", "4MB", "8MB", "16MB", "32MB", "64MB", "128MB"]
        return Int(spiSize) < names.count ? names[Int(spiSize)] : "unknown"
    }
}

/// The 8-byte header before each segment's data: where it loads and how long it is.
public struct SegmentHeader: Equatable, Sendable {
    public static let size = 8
    public var loadAddress: UInt32
    public var length: UInt32
    /// File offset of the segment's data (header offset + 8).
    public var dataOffset: Int

    public init(loadAddress: UInt32, length: UInt32, dataOffset: Int) {
        self.loadAddress = loadAddress
        self.length = length
        self.dataOffset = dataOffset
    }

    /// Segment lengths ESP-IDF accepts: 4-byte multiples below 16 MB.
    static func checkLength(_ length: UInt32, index: Int) throws(ImageError) {
        if length & 3 != 0 || length >= 0x0100_0000 { throw .badSegmentLength(index: index, length: length) }
    }
}

/// File offset of the checksum byte: the segments end padded so that the checksum is the last byte
/// of a 16-byte block (esptool `align_file_position(f, 16)` before the checksum).
@inlinable
public func imageChecksumOffset(afterSegmentsAt end: Int) -> Int {
    end + (15 - end % 16)
}
