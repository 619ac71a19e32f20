/// An app image file read whole, with the facts esptool's `image-info` reports: header, segments,
/// app descriptor, checksum and hash validity, and whatever follows the image (signature sector).
public struct AppImage: Equatable, Sendable {
    public var header: ImageHeader
    public var segments: [SegmentHeader]
    /// Nil when the first segment does not start with a valid `esp_app_desc_t`.
    public var appDescriptor: AppDescriptor?
    public var storedChecksum: UInt8
    public var computedChecksum: UInt8
    /// File offset of the checksum byte.
    public var checksumOffset: Int
    public var storedHash: [UInt8]?
    public var computedHash: [UInt8]?
    /// Length of the image proper: through the hash (or the checksum without one).
    public var imageLength: Int
    /// Bytes in the file after `imageLength`.
    public var bytesAfterImage: Int
    /// Where a Secure Boot V2 signature sector starts: `imageLength` rounded up to 4 KB. The signed
    /// data is every byte before it.
    public var signatureSectorOffset: Int { (imageLength + 4095) & ~4095 }
    /// SHA-256 of everything before the 4 KB-aligned signature sector (Secure Boot V2 signed data).
    public var signedDataDigest: [UInt8]?
    /// The signature sector when the file holds exactly one full sector after the padding.
    public var signatureSector: [UInt8]?

    public var checksumValid: Bool { storedChecksum == computedChecksum }
    public var hashValid: Bool { storedHash != nil && storedHash == computedHash }
    /// What esptool calls `validation_result`: checksum and (when appended) hash both match.
    public var isValid: Bool { checksumValid && (!header.hashAppended || hashValid) }
    public var chip: ChipModel? { ChipModel(imageChipID: header.chipID) }

    /// Parses a whole file as esptool would: throws only when it cannot be read (empty, bad magic,
    /// truncated, too many segments); checksum and hash mismatches are reported, not thrown.
    public static func parse<Hasher: SHA256Hashing>(_ bytes: [UInt8], hasher: Hasher.Type) throws(ImageError) -> AppImage {
        var v = ImageValidator<Hasher>(policy: .inspect)
        try v.consume(bytes[...])
        try v.finish()
        guard let header = v.header, let stored = v.storedChecksum, let computed = v.computedChecksum,
              let end = v.imageEnd
        else { throw .truncated(offset: bytes.count, expected: "checksum") }
        return AppImage(
            header: header, segments: v.segments, appDescriptor: v.appDescriptor, storedChecksum: stored,
            computedChecksum: computed, checksumOffset: header.hashAppended ? end - 33 : end - 1,
            storedHash: v.storedHash, computedHash: v.computedHash, imageLength: end,
            bytesAfterImage: bytes.count - end, signedDataDigest: v.signedDataDigest,
            signatureSector: v.hasCompleteSignatureSector ? v.signatureSector : nil)
    }

    /// `parse` with the pure-Swift SHA-256.
    public static func parse(_ bytes: [UInt8]) throws(ImageError) -> AppImage {
        try parse(bytes, hasher: SoftwareSHA256.self)
    }
}
