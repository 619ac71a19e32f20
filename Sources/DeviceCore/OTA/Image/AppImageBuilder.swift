/// Writes app images in esptool's `elf2image` layout: header, segments, zero padding to the
/// checksum byte, checksum, appended SHA-256. The simulator's firmware origin and the tests use it
/// to make valid images for any version without an ESP-IDF toolchain.
public enum AppImageBuilder {
    /// One segment to load: address and data (length must be a multiple of 4).
    public struct Segment: Equatable, Sendable {
        public var loadAddress: UInt32
        public var data: [UInt8]
        public init(loadAddress: UInt32, data: [UInt8]) {
            self.loadAddress = loadAddress
            self.data = data
        }
    }

    /// The exact bytes of an image with `header`'s fields (its segment count is taken from
    /// `segments`), the checksum, and the SHA-256 when `header.hashAppended`.
    public static func build<Hasher: SHA256Hashing>(header: ImageHeader, segments: [Segment], hasher: Hasher.Type) -> [UInt8] {
        precondition(segments.allSatisfy { $0.data.count % 4 == 0 }, "segment lengths are multiples of 4")
        var out: [UInt8] = [header.magic, UInt8(segments.count), header.spiMode, header.spiSize << 4 | header.spiSpeed]
        out.appendLE(header.entryAddress)
        out.append(header.wpPin)
        out.append(contentsOf: header.spiPinDrive.prefix(3))
        appendLE16(&out, header.chipID)
        out.append(header.minChipRevisionLegacy)
        appendLE16(&out, header.minChipRevisionFull)
        appendLE16(&out, header.maxChipRevisionFull)
        out.append(contentsOf: [0, 0, 0, 0, header.hashAppended ? 1 : 0])
        var checksum: UInt8 = 0xEF
        for segment in segments {
            out.appendLE(segment.loadAddress)
            out.appendLE(UInt32(segment.data.count))
            out.append(contentsOf: segment.data)
            for b in segment.data { checksum ^= b }
        }
        let checksumAt = imageChecksumOffset(afterSegmentsAt: out.count)
        out.append(contentsOf: repeatElement(UInt8(0), count: checksumAt - out.count))
        out.append(checksum)
        if header.hashAppended {
            var h = Hasher()
            h.update(out[...])
            out.append(contentsOf: h.finalize())
        }
        return out
    }

    /// A small valid ESP-IDF app image for `chip`: one DROM segment starting with an
    /// `esp_app_desc_t` (`version`, `secureVersion`) followed by `payload`, and one DRAM segment.
    public static func simple<Hasher: SHA256Hashing>(chip: ChipModel, version: String, secureVersion: UInt32 = 0,
                                                     projectName: String = "simfleet", payload: [UInt8] = [],
                                                     hasher: Hasher.Type) -> [UInt8] {
        let header = ImageHeader(
            magic: ImageHeader.magic, segmentCount: 2, spiMode: 2, spiSpeed: 0, spiSize: 3, entryAddress: 0x4080_0434,
            wpPin: 0xEE, spiPinDrive: [0, 0, 0], chipID: chip.imageChipID, minChipRevisionLegacy: 0,
            minChipRevisionFull: 0, maxChipRevisionFull: 99, hashAppended: true)
        let descriptor = AppDescriptor(
            magicWord: AppDescriptor.magic, secureVersion: secureVersion, version: version, projectName: projectName,
            time: "00:00:00", date: "Jan  1 2026", idfVersion: "v5.1.1",
            appELFSHA256: [UInt8](repeating: 0, count: 32), minEfuseBlockRevisionFull: 0, maxEfuseBlockRevisionFull: 0)
        var drom = descriptor.bytes + payload
        while drom.count % 4 != 0 { drom.append(0) }
        return build(header: header, segments: [
            Segment(loadAddress: 0x420D_0020, data: drom),
            Segment(loadAddress: 0x4080_0000, data: [UInt8](repeating: 0x5A, count: 64)),
        ], hasher: hasher)
    }
}

extension AppDescriptor {
    /// The 256 bytes as stored in an image (strings NUL-padded and cut to their field size - 1).
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.appendLE(magicWord)
        out.appendLE(secureVersion)
        out.append(contentsOf: [UInt8](repeating: 0, count: 8))
        for (text, size) in [(version, 32), (projectName, 32), (time, 16), (date, 16), (idfVersion, 32)] {
            var field = Array(text.utf8.prefix(size - 1))
            while field.count < size { field.append(0) }
            out.append(contentsOf: field)
        }
        var elf = Array(appELFSHA256.prefix(32))
        while elf.count < 32 { elf.append(0) }
        out.append(contentsOf: elf)
        appendLE16(&out, minEfuseBlockRevisionFull)
        appendLE16(&out, maxEfuseBlockRevisionFull)
        while out.count < AppDescriptor.size { out.append(0) }
        return out
    }
}

func appendLE16(_ out: inout [UInt8], _ v: UInt16) {
    out.append(UInt8(truncatingIfNeeded: v))
    out.append(UInt8(truncatingIfNeeded: v >> 8))
}
