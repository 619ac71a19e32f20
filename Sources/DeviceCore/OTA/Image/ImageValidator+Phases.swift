/// The byte-level walk through an image: one phase (header, segment, padding, checksum, hash,
/// trailing) at a time, each consuming only the bytes that belong to it.
extension ImageValidator {
    /// Consumes a prefix of `bytes` belonging to the current phase; returns how many were taken.
    mutating func step(_ bytes: ArraySlice<UInt8>) throws(ImageError) -> Int {
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
                if let revision = policy.chipRevision {
                    let maxSet = h.maxChipRevisionFull != 0 && h.maxChipRevisionFull != 0xFFFF  // IS_MAX_REV_SET
                    if revision < h.minChipRevisionFull || (maxSet && revision > h.maxChipRevisionFull) {
                        throw .chipRevisionUnsupported(device: revision, min: h.minChipRevisionFull, max: h.maxChipRevisionFull)
                    }
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
                if index == 0 && segment.length == 0 { try takeAppDescriptor() }
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

    mutating func collect(_ bytes: ArraySlice<UInt8>, upTo size: Int) -> Int {
        let n = min(size - pending.count, bytes.count)
        pending.append(contentsOf: bytes.prefix(n))
        return n
    }

    mutating func advance(_ bytes: ArraySlice<UInt8>) {
        hasher.update(bytes)
        advanceUnhashed(bytes)
    }

    mutating func advanceUnhashed(_ bytes: ArraySlice<UInt8>) {
        signedHasher?.update(bytes)
        offset += bytes.count
    }

    func checkFits(_ end: Int) throws(ImageError) {
        if let size = policy.slotSize, end > size { throw .exceedsSlot(end: end, slotSize: size) }
    }

    func afterSegment(_ index: Int) -> Phase {
        index + 1 < (header?.segmentCount ?? 0) ? .segmentHeader(index: index + 1) : padding()
    }

    func padding() -> Phase {
        let n = imageChecksumOffset(afterSegmentsAt: offset) - offset
        return n == 0 ? .checksum : .padding(remaining: n)
    }

    mutating func takeAppDescriptor() throws(ImageError) {
        do {
            appDescriptor = try AppDescriptor.parse(appDescriptorBytes)
        } catch {
            if policy.strict { throw error }
            appDescriptorProblem = error
        }
    }

    mutating func endImage() {
        imageEnd = offset
        phase = .trailing
        if signatureSectorOffset == offset { finishSignedDigest() }
    }

    mutating func finishSignedDigest() {
        if signedHasher != nil {
            signedDataDigest = signedHasher!.finalize()
            signedHasher = nil
        }
    }
}
