import DeviceCore

/// How a device's app slots come to share image bytes: factory programming, folding written slots
/// back into shared content, and what the device holds of its own.
extension DeviceFlash {
    /// Factory programming (`idf.py flash`): `image` in slot `index`, the slot otherwise erased.
    public mutating func program(_ image: SharedImage, slot index: Int) {
        precondition(image.bytes.count <= state[index].size, "image larger than its slot")
        for s in state[index].sectors { sectors[s] = nil }
        state[index].content = SlotContent(image)
        state[index].detached = []
        state[index].dirty = false
        state[index].privateSectors = 0
        state[index].foldAt = Self.foldEvery
    }

    /// The shared image slot `index` holds exactly, when it holds nothing private on top of it.
    public func image(inSlot index: Int) -> SharedImage? {
        state[index].dirty ? nil : state[index].content?.exactImage
    }

    /// Bytes this device holds privately: its own sectors and patches (memory accounting, tests).
    public var privateBytes: Int {
        sectors.values.reduce(0) { $0 + $1.count } + small.byteCount + state.reduce(0) { $0 + ($1.content?.privateBytes ?? 0) }
    }

    /// Folds every slot with private sectors back into a shared image (found by content, or added
    /// to the store). Changes no byte a read returns; call it when a device stops writing a slot.
    public mutating func settle() {
        for index in state.indices where state[index].dirty { _ = fold(index, intern: true) }
    }

    /// While a slot is being written: once it holds `foldAt` private sectors, fold it into the
    /// release it matches so far (a download of a known image); content matching nothing stays
    /// private until `settle`, and the next attempt waits for twice as many sectors.
    public mutating func foldWhileWriting() {
        for index in state.indices where state[index].privateSectors >= state[index].foldAt {
            state[index].foldAt = fold(index, intern: false) ? Self.foldEvery : state[index].privateSectors * 2
        }
    }

    /// Replaces slot `index`'s private sectors by shared content with the same bytes; false (and
    /// nothing changed) when `intern` is off and no release in the store matches. When everything
    /// written or erased lies at the front of the slot (a download writes front to back), only that
    /// front is folded, as a layer over what the slot held before.
    private mutating func fold(_ index: Int, intern: Bool) -> Bool {
        let slot = state[index]
        let first = Int(slot.firstSector)
        let range = slot.sectors
        var touched = Set(sectors.keys.filter { range.contains($0) }.map { $0 - first })
        touched.formUnion(state[index].detached.map { $0 - first })
        let old = state[index].content
        // Sectors [0, topEnd) of the old content are already a front layer over `old.under`.
        let topEnd = old.map { $0.cut == .max ? 0 : $0.cut } ?? 0
        let front = max((touched.max() ?? -1) + 1, topEnd)
        let isFront = old != nil && (0..<front).allSatisfy { touched.contains($0) || $0 < topEnd }
        let under = isFront ? (old!.cut == .max ? old : old!.under) : nil
        if isFront, let old, old.cut != .max, let start = touched.min(),
           let grown = old.extended(from: min(start, topEnd), to: front, under: under, sector: { s in
               (try? self.read(offset: slot.offset + s * Self.sectorSize, length: Self.sectorSize)) ?? []
           }) {
            commit(grown, slot: index, range: range)
            return true
        }
        let extent = isFront ? front * Self.sectorSize : max(old?.extent ?? 0, front * Self.sectorSize)
        var bytes = (try? read(offset: slot.offset, length: min(extent, slot.size))) ?? []
        while let last = bytes.last, last == 0xFF { bytes.removeLast() }
        let folded = SlotContent.fold(bytes, cut: isFront ? front : .max, under: under, store: store, intern: intern)
        if folded == nil && !bytes.isEmpty { return false }
        commit(folded, slot: index, range: range)
        return true
    }

    private mutating func commit(_ content: SlotContent?, slot index: Int, range: Range<Int>) {
        for s in range where sectors[s] != nil { sectors[s] = nil }
        state[index].detached = []
        state[index].dirty = false
        state[index].privateSectors = 0
        state[index].content = content
    }
}
