import DeviceCore

/// What an app slot holds under a device's private sectors: the first `length` bytes of a shared
/// image (0xFF after them) with a few whole sectors replaced. A download that was cut short or
/// corrupted differs from its release in a sector or two, so it costs those sectors, not a copy.
struct SlotContent: Sendable {
    static let sectorSize = NORFlash.sectorSize
    /// More differing sectors than this and the content is interned as an image of its own.
    static let maxPatches = 8

    let base: SharedImage
    let length: Int
    /// Slot-relative sector index → that sector's bytes (without their 0xFF tail).
    let patches: [Int: [UInt8]]

    /// Exactly `image`.
    init(_ image: SharedImage) {
        base = image
        length = image.bytes.count
        patches = [:]
    }

    private init(base: SharedImage, length: Int, patches: [Int: [UInt8]]) {
        self.base = base
        self.length = length
        self.patches = patches
    }

    /// `bytes` (a slot's content without its 0xFF tail) as a patched release image from `store`
    /// when one starts with the same first sector and few sectors differ, else as its own image.
    static func fold(_ bytes: [UInt8], store: ImageStore) -> SlotContent {
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
                return patches.isEmpty && bytes.count == base.bytes.count ? SlotContent(base) : SlotContent(base: base, length: bytes.count, patches: patches)
            }
        }
        return SlotContent(store.intern(bytes))
    }

    /// Appends `count` bytes of slot-relative sector `index` from byte `start` of that sector.
    func append(sector index: Int, from start: Int, count: Int, to out: inout [UInt8]) {
        if let patch = patches[index] {
            if start < patch.count { out.append(contentsOf: patch[start..<min(start + count, patch.count)]) }
            out.append(contentsOf: repeatElement(UInt8(0xFF), count: count - max(0, min(start + count, patch.count) - start)))
            return
        }
        let from = index * SlotContent.sectorSize + start
        let available = max(0, min(count, length - from))
        if available > 0 { out.append(contentsOf: base.bytes[from..<(from + available)]) }
        out.append(contentsOf: repeatElement(UInt8(0xFF), count: count - available))
    }

    /// Bytes this slot holds of its own (the patches).
    var privateBytes: Int { patches.values.reduce(0) { $0 + $1.count } }

    /// The shared image exactly, when nothing is patched or cut.
    var exactImage: SharedImage? { patches.isEmpty && length == base.bytes.count ? base : nil }
}
