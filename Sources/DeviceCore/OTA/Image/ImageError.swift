/// Why an app image was refused, in the order ESP-IDF's `esp_image_format.c` would notice it.
public enum ImageError: Error, Equatable, Sendable {
    /// Zero bytes (esptool: "Image is empty").
    case empty
    /// The data ended at `offset` while `expected` was still needed (a header, a segment, checksum, hash).
    case truncated(offset: Int, expected: String)
    /// First byte is not 0xE9 (`ESP_IMAGE_HEADER_MAGIC`).
    case badMagic(UInt8)
    /// `chip_id` in the header is not the device's (`bootloader_common_check_chip_validity`).
    case chipMismatch(image: UInt16, device: UInt16)
    /// The device's chip revision is outside the image's min/max (`max` 0 or 0xFFFF means none).
    case chipRevisionUnsupported(device: UInt16, min: UInt16, max: UInt16)
    /// More than 16 segments (`ESP_IMAGE_MAX_SEGMENTS`).
    case tooManySegments(Int)
    /// A segment length that is not a multiple of 4 or is 16 MB or more (`verify_segment_header`).
    case badSegmentLength(index: Int, length: UInt32)
    /// The image (header, segments, checksum, hash) does not fit in the target slot.
    case exceedsSlot(end: Int, slotSize: Int)
    /// `esp_app_desc_t.magic_word` is not 0xABCD5432.
    case badAppDescriptorMagic(UInt32)
    /// The first segment is too short to hold `esp_app_desc_t`.
    case missingAppDescriptor
    /// XOR checksum byte after the segments does not match (`process_checksum`).
    case checksumMismatch(stored: UInt8, computed: UInt8)
    /// Appended SHA-256 does not match the image (`verify_simple_hash`).
    case hashMismatch
    /// The header says no hash is appended; ESP-IDF requires one unless secure boot V1 signs it.
    case hashNotAppended
    /// Bytes after the image that are neither padding nor one 4 KB signature sector.
    case unexpectedTrailingData(Int)

    /// Short, stable reason text for logs and status messages.
    public var reason: String {
        switch self {
        case .empty: return "image is empty"
        case let .truncated(offset, expected): return "truncated at " + decimal(Int64(offset)) + " reading " + expected
        case let .badMagic(m): return "invalid magic number: 0x" + hexString([m])
        case let .chipMismatch(image, device):
            return "chip id " + decimal(Int64(image)) + " does not match device chip id " + decimal(Int64(device))
        case let .chipRevisionUnsupported(device, min, max):
            return "chip revision " + decimal(Int64(device)) + " outside image range " + decimal(Int64(min)) + "..." + decimal(Int64(max))
        case let .tooManySegments(n): return "too many segments: " + decimal(Int64(n))
        case let .badSegmentLength(index, length):
            return "segment " + decimal(Int64(index)) + " has invalid length " + decimal(Int64(length))
        case let .exceedsSlot(end, size): return "image end " + decimal(Int64(end)) + " exceeds slot size " + decimal(Int64(size))
        case let .badAppDescriptorMagic(m): return "invalid app descriptor magic 0x" + hexString(be32(m))
        case .missingAppDescriptor: return "first segment too short for app descriptor"
        case let .checksumMismatch(stored, computed):
            return "checksum mismatch: stored 0x" + hexString([stored]) + " computed 0x" + hexString([computed])
        case .hashMismatch: return "SHA-256 digest mismatch"
        case .hashNotAppended: return "no SHA-256 appended"
        case let .unexpectedTrailingData(n): return decimal(Int64(n)) + " unexpected bytes after image"
        }
    }
}

/// Big-endian bytes of a word, for hex text.
func be32(_ v: UInt32) -> [UInt8] {
    [UInt8(v >> 24), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)]
}

/// Little-endian reads at an absolute index of any byte collection with integer indices.
extension RandomAccessCollection where Element == UInt8, Index == Int {
    @inlinable
    func le16(_ i: Int) -> UInt16 { UInt16(self[i]) | UInt16(self[i + 1]) << 8 }
    @inlinable
    func le32(_ i: Int) -> UInt32 {
        UInt32(self[i]) | UInt32(self[i + 1]) << 8 | UInt32(self[i + 2]) << 16 | UInt32(self[i + 3]) << 24
    }
}
