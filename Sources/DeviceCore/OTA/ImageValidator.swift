/// Streaming check of an ESP-IDF app image as its bytes arrive: header, segments, app descriptor,
/// checksum, appended SHA-256, then optional padding and one Secure Boot V2 signature sector.
/// Rejects at the first byte that proves the image bad, so a download can stop early.
public struct ImageValidator<Hasher: SHA256Hashing> {
    /// What the image is checked against. `chip == nil` and `strict == false` is esptool's view
    /// (report, do not refuse); a device uses its chip, its slot size and `strict`.
    public struct Policy: Sendable {
        public var chip: ChipModel?
        public var slotSize: Int?
        /// Throw on a bad app descriptor, checksum or hash, and on stray trailing bytes.
        public var strict: Bool
        /// Also hash every byte before the signature sector (the Secure Boot V2 signed data).
        public var hashSignedData: Bool

        public init(chip: ChipModel?, slotSize: Int?, strict: Bool = true, hashSignedData: Bool = false) {
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
    private var phase: Phase = .header
    private var pending: [UInt8] = []
    private var hasher = Hasher()
    private var signedHasher: Hasher?
    private var checksum: UInt8 = 0xEF
    private var appDescriptorBytes: [UInt8] = []

    /// Bytes consumed so far (the file offset of the next byte).
    public private(set) var offset = 0
    public private(set) var header: ImageHeader?
    public private(set) var segments: [SegmentHeader] = []
    public private(set) var appDescriptor: AppDescriptor?
    /// Why the app descriptor was not usable, when `strict` is off.
    public private(set) var appDescriptorProblem: ImageError?
    public private(set) var storedChecksum: UInt8?
    public private(set) var computedChecksum: UInt8?
    public private(set) var storedHash: [UInt8]?
    public private(set) var computedHash: [UInt8]?
    /// File offset just past the image (after the hash, or after the checksum without one).
    public private(set) var imageEnd: Int?
    /// The 4096-byte sector after the image's 4 KB-aligned end, collected as it arrives.
    public private(set) var signatureSector: [UInt8] = []
    /// SHA-256 of everything before the signature sector, once the image ends.
    public private(set) var signedDataDigest: [UInt8]?
    /// Bytes after the image that are neither padding nor the signature sector.
    public private(set) var strayBytes = 0

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

    /// Ends the stream: throws if the image is incomplete (or, strictly, has a stray tail).
    public mutating func finish() throws(ImageError) {
        switch phase {
        case .header: throw offset == 0 ? .empty : .truncated(offset: offset, expected: "image header")
        case let .segmentHeader(index), let .segmentData(index, _):
            throw .truncated(offset: offset, expected: "segment " + decimal(Int64(index)))
        case .padding, .checksum: throw .truncated(offset: offset, expected: "checksum")
        case .hash: throw .truncated(offset: offset, expected: "SHA-256")
        case .trailing:
            if policy.strict, let end = imageEnd, offset != end, !hasCompleteSignatureSector {
                throw .unexpectedTrailingData(offset - end)
            }
        }
    }

    /// True when exactly one full 4 KB signature sector followed the padding.
    public var hasCompleteSignatureSector: Bool { signatureSector.count == 4096 && strayBytes == 0 }

    /// Consumes a prefix of `bytes` belonging to the current phase; returns how many were taken.
    private mutating func step(_ bytes: ArraySlice<UInt8>) throws(ImageError) -> Int {
        switch phase {
        case .header:
            let n = collect(bytes, upTo: ImageHeader.size)
            if pending[0] != ImageHeader.magic { throw .badMagic(pending[0]) }
            advance(bytes.prefix(n))
            if pending.count == ImageHeader.size {
                let h = try ImageHeader.parse(pending)
                pending.removeAll(keepingCapacity: true)
                if let chip = policy.chip, h.chipID != chip.imageChipID {
                    throw .chipMismatch(image: h.chipID, device: chip.imageChipID)
                }
                if h.segmentCount > ImageHeader.maxSegments { throw .tooManySegments(h.segmentCount) }
                header = h
                phase = h.segmentCount == 0 ? padding() : .segmentHeader(index: 0)
            }
            return n
        case let .segmentHeader(index):
            let n = collect(bytes, upTo: SegmentHeader.size)
            advance(bytes.prefix(n))
            if pending.count == SegmentHeader.size {
                let segment = SegmentHeader(loadAddress: pending.le32(0), length: pending.le32(4), dataOffset: offset)
                pending.removeAll(keepingCapacity: true)
                try SegmentHeader.checkLength(segment.length, index: index)
                try checkFits(offset + Int(segment.length) + 1)
                segments.append(segment)
                phase = segment.length == 0 ? afterSegment(index) : .segmentData(index: index, remaining: Int(segment.length))
            }
            return n
        case let .segmentData(index, remaining):
            let part = bytes.prefix(remaining)
            part.withUnsafeBufferPointer { p in
                var x = checksum
                for b in p { x ^= b }
                checksum = x
            }
            if index == 0 && appDescriptorBytes.count < AppDescriptor.size {
                appDescriptorBytes.append(contentsOf: part.prefix(AppDescriptor.size - appDescriptorBytes.count))
                if appDescriptorBytes.count == AppDescriptor.size { try takeAppDescriptor() }
            }
            advance(part)
            if remaining == part.count {
                if index == 0 && appDescriptorBytes.count < AppDescriptor.size { try takeAppDescriptor() }
                phase = afterSegment(index)
            } else {
                phase = .segmentData(index: index, remaining: remaining - part.count)
            }
            return part.count
        case let .padding(remaining):
            let n = min(remaining, bytes.count)
            advance(bytes.prefix(n))
            phase = remaining == n ? .checksum : .padding(remaining: remaining - n)
            return n
        case .checksum:
            let stored = bytes[bytes.startIndex]
            advance(bytes.prefix(1))
            storedChecksum = stored
            computedChecksum = checksum
            if policy.strict && stored != checksum { throw .checksumMismatch(stored: stored, computed: checksum) }
            if header?.hashAppended == true {
                try checkFits(offset + 32)
                computedHash = hasher.finalize()
                phase = .hash
            } else {
                endImage()
            }
            return 1
        case .hash:
            let n = collect(bytes, upTo: 32)
            advanceUnhashed(bytes.prefix(n))
            if pending.count == 32 {
                storedHash = pending
                pending.removeAll()
                if policy.strict && storedHash != computedHash { throw .hashMismatch }
                endImage()
            }
            return n
        case .trailing:
            let sectorStart = signatureSectorOffset ?? offset
            var taken = 0
            if offset < sectorStart {
                taken = min(sectorStart - offset, bytes.count)
                signedHasher?.update(bytes.prefix(taken))
                offset += taken
                if offset == sectorStart { finishSignedDigest() }
            }
            let rest = bytes.dropFirst(taken)
            if !rest.isEmpty {
                let room = 4096 - signatureSector.count
                let keep = min(room, rest.count)
                signatureSector.append(contentsOf: rest.prefix(keep))
                strayBytes += rest.count - keep
                offset += rest.count
            }
            try checkFits(offset)
            if policy.strict && strayBytes > 0 { throw .unexpectedTrailingData(offset - (imageEnd ?? 0)) }
            return bytes.count
        }
    }

    private mutating func collect(_ bytes: ArraySlice<UInt8>, upTo size: Int) -> Int {
        let n = min(size - pending.count, bytes.count)
        pending.append(contentsOf: bytes.prefix(n))
        return n
    }

    private mutating func advance(_ bytes: ArraySlice<UInt8>) {
        hasher.update(bytes)
        advanceUnhashed(bytes)
    }

    private mutating func advanceUnhashed(_ bytes: ArraySlice<UInt8>) {
        signedHasher?.update(bytes)
        offset += bytes.count
    }

    private func checkFits(_ end: Int) throws(ImageError) {
        if let size = policy.slotSize, end > size { throw .exceedsSlot(end: end, slotSize: size) }
    }

    private func afterSegment(_ index: Int) -> Phase {
        index + 1 < (header?.segmentCount ?? 0) ? .segmentHeader(index: index + 1) : padding()
    }

    private func padding() -> Phase {
        let n = imageChecksumOffset(afterSegmentsAt: offset) - offset
        return n == 0 ? .checksum : .padding(remaining: n)
    }

    private mutating func takeAppDescriptor() throws(ImageError) {
        do {
            appDescriptor = try AppDescriptor.parse(appDescriptorBytes)
        } catch {
            if policy.strict { throw error }
            appDescriptorProblem = error
        }
    }

    private mutating func endImage() {
        imageEnd = offset
        phase = .trailing
        if signatureSectorOffset == offset { finishSignedDigest() }
    }

    private mutating func finishSignedDigest() {
        if signedHasher != nil {
            signedDataDigest = signedHasher!.finalize()
            signedHasher = nil
        }
    }
}
