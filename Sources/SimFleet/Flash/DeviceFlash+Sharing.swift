import DeviceCore

/// How a device's app slots come to share image bytes: factory programming, folding written slots
/// back into shared content, and what the device holds of its own.
extension DeviceFlash {
    /// Factory programming (`idf.py flash`): `image` in slot `index`, the slot otherwise erased.
    public mutating func program(_ image: SharedImage, slot index: Int) {
        precondition(image.bytes.count <= slots[index].size, "image larger than its slot")
        for s in sectorRange(of: slots[index]) { sectors[s] = nil }
        contents[index] = SlotContent(image)
        detached[index] = []
        dirty[index] = false
    }

    /// The shared image slot `index` holds exactly, when it holds nothing private on top of it.
    public func image(inSlot index: Int) -> SharedImage? {
        dirty[index] ? nil : contents[index]?.exactImage
    }

    /// Bytes this device holds privately: its own sectors and patches (memory accounting, tests).
    public var privateBytes: Int {
        sectors.values.reduce(0) { $0 + $1.count } + contents.reduce(0) { $0 + ($1?.privateBytes ?? 0) }
    }

    /// Folds every slot with private sectors back into a shared image (found by content, or added
    /// to the store). Changes no byte a read returns; call it when a device stops writing a slot.
    public mutating func settle() {
        for index in slots.indices where dirty[index] {
            let slot = slots[index]
            let range = sectorRange(of: slot)
            var extent = contents[index]?.length ?? 0
            for s in sectors.keys where range.contains(s) { extent = max(extent, (s + 1) * Self.sectorSize - slot.offset) }
            var bytes = (try? read(offset: slot.offset, length: min(extent, slot.size))) ?? []
            while let last = bytes.last, last == 0xFF { bytes.removeLast() }
            for s in sectors.keys where range.contains(s) { sectors[s] = nil }
            detached[index] = []
            dirty[index] = false
            contents[index] = bytes.isEmpty ? nil : SlotContent.fold(bytes, store: store)
        }
    }
}
