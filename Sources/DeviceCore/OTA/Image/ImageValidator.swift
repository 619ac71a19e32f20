/// Streaming check of an ESP-IDF app image as its bytes arrive: header, segments, app descriptor,
/// checksum, appended SHA-256, then optional padding and one Secure Boot V2 signature sector.
/// Rejects at the first byte that proves the image bad, so a download can stop early.
public struct ImageValidator<Hasher: SHA256Hashing>: Sendable {
    /// What the image is checked against. `chip == nil` and `strict == false` is esptool's view
    /// (report, do not refuse); a device uses its chip, its slot size and `strict`.
    public struct Policy: Sendable {
        public var chip: ChipModel?
        public var slotSize: Int?
        /// Throw on a bad app descriptor, checksum or hash, and on stray trailing bytes.
        public var strict: Bool
        /// Also hash every byte before the signature sector (the Secure Boot V2 signed data).
        public var hashSignedData: Bool

        /// The device's chip revision (major * 100 + minor), checked against the header's
        /// min/max revision like `bootloader_common_check_chip_validity`; nil skips the check.
        public var chipRevision: UInt16?

        public init(chip: ChipModel?, slotSize: Int?, strict: Bool = true, hashSignedData: Bool = false,
                    chipRevision: UInt16? = nil) {
            self.chipRevision = chipRevision
            self.chip = chip
            self.slotSize = slotSize
            self.strict = strict
            self.hashSignedData = hashSignedData
        }

        /// esptool `image-info`: parse everything, refuse only what cannot be parsed.
        public static var inspect: Policy { Policy(chip: nil, slotSize: nil, strict: false, hashSignedData: true) }
    }

    enum Phase {
        case header
        case segmentHeader(index: Int)
        case segmentData(index: Int, remaining: Int)
        case padding(remaining: Int)
        case checksum
        case hash
        case trailing
    }

    public let policy: Policy
    var phase: Phase = .header
    var pending: [UInt8] = []
    var hasher = Hasher()
    var signedHasher: Hasher?
    var checksum: UInt8 = 0xEF
    var appDescriptorBytes: [UInt8] = []

    /// Bytes consumed so far (the file offset of the next byte).
    public internal(set) var offset = 0
    public internal(set) var header: ImageHeader?
    public internal(set) var segments: [SegmentHeader] = []
    public internal(set) var appDescriptor: AppDescriptor?
    /// Why the app descriptor was not usable, when `strict` is off.
    public internal(set) var appDescriptorProblem: ImageError?
    public internal(set) var storedChecksum: UInt8?
    public internal(set) var computedChecksum: UInt8?
    public internal(set) var storedHash: [UInt8]?
    public internal(set) var computedHash: [UInt8]?
    /// File offset just past the image (after the hash, or after the checksum without one).
    public internal(set) var imageEnd: Int?
    /// The 4096-byte sector after the image's 4 KB-aligned end, collected as it arrives.
    public internal(set) var signatureSector: [UInt8] = []
    /// SHA-256 of everything before the signature sector, once the image ends.
    public internal(set) var signedDataDigest: [UInt8]?
    /// Bytes after the image that are neither padding nor the signature sector.
    public internal(set) var strayBytes = 0

    public init(policy: Policy) {
        self.policy = policy
        if policy.hashSignedData { signedHasher = Hasher() }
    }

    /// Offset of the signature sector: the image end rounded up to 4 KB.
    public var signatureSectorOffset: Int? { imageEnd.map { ($0 + 4095) & ~4095 } }

    /// True once the whole image (through the hash) has been seen.
    public var imageComplete: Bool { imageEnd != nil }

    /// Feeds the next bytes of the file; throws as soon as they prove the image invalid.
    public mutating func consume(_ chunk: ArraySlice<UInt8>) throws(ImageError) {
        var i = chunk.startIndex
        while i < chunk.endIndex {
            let taken = try step(chunk[i..<chunk.endIndex])
            i += taken
        }
    }

    /// Ends the stream: throws if the image is incomplete (or, strictly and without signatures
    /// expected, has a tail that is not exactly padding plus one signature sector).
    public mutating func finish() throws(ImageError) {
        switch phase {
        case .header: throw offset == 0 ? .empty : .truncated(offset: offset, expected: "image header")
        case let .segmentHeader(index), let .segmentData(index, _):
            throw .truncated(offset: offset, expected: "segment " + decimal(Int64(index)))
        case .padding, .checksum: throw .truncated(offset: offset, expected: "checksum")
        case .hash: throw .truncated(offset: offset, expected: "SHA-256")
        case .trailing:
            // With signatures expected, an incomplete sector is the signature check's to report.
            if policy.strict, !policy.hashSignedData, let end = imageEnd, offset != end, !hasCompleteSignatureSector {
                throw .unexpectedTrailingData(offset - end)
            }
        }
    }

    /// True when exactly one full 4 KB signature sector followed the padding.
    public var hasCompleteSignatureSector: Bool { signatureSector.count == 4096 && strayBytes == 0 }
}
