import DeviceCore

/// What an app slot holds under a device's private sectors, without a copy of any image: the first
/// `length` bytes of a shared image (0xFF after them, up to `cut`) with a few whole sectors
/// replaced, and from sector `cut` on, what the slot held before (`under`) — a download writes a
/// slot front to back over the image that was there. A download cut short or corrupted differs
/// from its release in a sector or two, so it costs those sectors.
final class SlotContent: Sendable {
    static let sectorSize = NORFlash.sectorSize
    /// More differing sectors than this and the content is interned as an image of its own.
    static let maxPatches = 8

    /// nil: the layer is erased (all 0xFF).
    let base: SharedImage?
    let length: Int
    /// Slot-relative sector index → that sector's bytes (without their 0xFF tail).
    let patches: [Int: [UInt8]]
    /// Sectors from here on read from `under` (0xFF without it).
    let cut: Int
    let under: SlotContent?

    /// Exactly `image`.
    convenience init(_ image: SharedImage) {
        self.init(base: image, length: image.bytes.count, patches: [:], cut: .max, under: nil)
    }

    init(base: SharedImage?, length: Int, patches: [Int: [UInt8]], cut: Int, under: SlotContent?) {
        self.base = base
        self.length = length
        self.patches = patches
        self.cut = cut
        self.under = under
    }

    /// `bytes` (the slot's first sectors without their 0xFF tail), over `under` from sector `cut`
    /// on: a patched release image from `store` when one starts with the same first sector and few
    /// sectors differ, else its own image (nil instead when `intern` is off).
    static func fold(_ bytes: [UInt8], cut: Int = .max, under: SlotContent? = nil, store: ImageStore,
                     intern: Bool = true) -> SlotContent? {
        let under = under.flatMap { $0.extent > cut * sectorSize ? $0 : nil }
        let cut = under == nil ? .max : cut
        if bytes.isEmpty { return under == nil ? nil : SlotContent(base: nil, length: 0, patches: [:], cut: cut, under: under) }
        if let base = store.image(startingLike: bytes), bytes.count <= base.bytes.count {
            var patches: [Int: [UInt8]] = [:]
            var start = 0
            while start < bytes.count && patches.count <= maxPatches {
                // Unpatched, the sector reads base[start..<end] and 0xFF after `length` = bytes.count.
                let end = min(start + sectorSize, bytes.count)
                if !bytes[start..<end].elementsEqual(base.bytes[start..<end]) {
                    patches[start / sectorSize] = Array(bytes[start..<end])
                }
                start += sectorSize
            }
            if patches.count <= maxPatches {
                return SlotContent(base: base, length: bytes.count, patches: patches, cut: cut, under: under)
            }
        }
        guard intern else { return nil }
        return SlotContent(base: store.intern(bytes), length: bytes.count, patches: [:], cut: cut, under: under)
    }

    /// Appends `count` bytes of slot-relative sector `index` from byte `start` of that sector.
    func append(sector index: Int, from start: Int, count: Int, to out: inout [UInt8]) {
        if index >= cut {
            if let under { under.append(sector: index, from: start, count: count, to: &out) } else {
                DeviceFlash.appendErased(count, to: &out)
            }
            return
        }
        if let patch = patches[index] {
            if start < patch.count { out.append(contentsOf: patch[start..<min(start + count, patch.count)]) }
            DeviceFlash.appendErased(count - max(0, min(start + count, patch.count) - start), to: &out)
            return
        }
        let from = index * SlotContent.sectorSize + start
        let available = base == nil ? 0 : max(0, min(count, length - from))
        if available > 0, let base { out.append(contentsOf: base.bytes[from..<(from + available)]) }
        DeviceFlash.appendErased(count - available, to: &out)
    }

    /// Bytes past which the slot reads 0xFF.
    var extent: Int { max(length, under?.extent ?? 0) }

    /// Bytes this slot holds of its own (the patches).
    var privateBytes: Int { patches.values.reduce(0) { $0 + $1.count } + (under?.privateBytes ?? 0) }

    /// The shared image exactly, when nothing is patched, cut short or layered.
    var exactImage: SharedImage? {
        guard let base, patches.isEmpty, under == nil, length == base.bytes.count,
              cut == .max || cut * SlotContent.sectorSize >= length else { return nil }
        return base
    }

    /// The same release layer grown to sector `front` after sectors from `start` on were rewritten
    /// (`sector(s)` reads the slot now): only those sectors are compared with the release, so a
    /// download folded every few sectors costs linear time. nil when too many sectors differ.
    func extended(from start: Int, to front: Int, under: SlotContent?, sector: (Int) -> [UInt8]) -> SlotContent? {
        guard let base else { return nil }
        let size = SlotContent.sectorSize
        var patches = self.patches.filter { $0.key < start }
        // Untouched sectors at or past the old length read 0xFF now; with the full release under
        // them they must say so explicitly.
        var s = length / size
        while s < min(start, cut) {
            if patches[s] == nil { patches[s] = trimmedSector(sector(s)) }
            s += 1
        }
        for s in start..<front where patches.count <= SlotContent.maxPatches {
            let actual = sector(s)
            guard actual.count == size else { return nil }
            let from = min(s * size, base.bytes.count)  // a sector past the release's end compares with nothing
            let available = max(0, min(size, base.bytes.count - from))
            let matches = actual[0..<available].elementsEqual(base.bytes[from..<(from + available)])
                && actual[available...].allSatisfy { $0 == 0xFF }
            if !matches { patches[s] = trimmedSector(actual) }
        }
        guard patches.count <= SlotContent.maxPatches else { return nil }
        let visible = under.flatMap { $0.extent > front * size ? $0 : nil }
        return SlotContent(base: base, length: base.bytes.count, patches: patches, cut: front, under: visible)
    }

    private func trimmedSector(_ bytes: [UInt8]) -> [UInt8] {
        var end = bytes.count
        while end > 0 && bytes[end - 1] == 0xFF { end -= 1 }
        return Array(bytes[0..<end])
    }
}
