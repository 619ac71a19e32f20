import DeviceCore

/// A simulated device's NOR flash, cheap enough for ten thousand devices: app slots point at a
/// `SharedImage` (content-addressed, shared across the fleet; `SlotContent`) and only the sectors
/// a device has erased or written since are private to it, stored without their 0xFF tail (an
/// otadata sector costs 32 bytes, not 4 KB). Reads return exactly what a plain `NORFlash` would hold.
///
/// A download writes the new image into private sectors (about its size, while it runs);
/// `settle()` then folds each slot back into a shared image — or into a release image plus the few
/// sectors that differ, for a download cut short or corrupted — so at rest a device holds otadata,
/// two references and at most a few patched sectors.
public struct DeviceFlash: FlashMemory, Sendable {
    public static let sectorSize = NORFlash.sectorSize

    public let size: Int
    /// Private sectors by index; a missing tail is 0xFF.
    var sectors: [Int: [UInt8]] = [:]
    /// The OTA app slots (the partitions whose content may be shared) and what each holds. One
    /// array for all of it: ten thousand devices pay for one small allocation each, not six.
    var state: [SlotState]
    /// Private sectors a slot may collect while being written before it is folded into the release
    /// it matches (a download in progress costs at most this much per device).
    public static let foldEvery = 16
    let store: ImageStore

    /// An erased chip of `size` bytes with the app slots of `partitions`.
    public init(size: Int = 8 * 1024 * 1024, partitions: PartitionTable = .reference, store: ImageStore = .shared) {
        precondition(size > 0 && size % Self.sectorSize == 0, "flash size must be whole sectors")
        self.size = size
        self.state = partitions.otaSlots.map { SlotState(partition: $0) }
        self.store = store
    }

    /// The partitions whose content may be shared (the OTA app slots).
    public var slots: [Partition] { state.map(\.partition) }

    /// One app slot: its partition and the shared content under its private sectors.
    struct SlotState: Sendable {
        let partition: Partition
        /// The shared content under the private sectors (0xFF past its end).
        var content: SlotContent?
        /// Sectors erased since `content` was set, which no longer read from it.
        var detached: Set<Int> = []
        /// Erased or written since it was last settled.
        var dirty = false
        /// Private sectors now, and how many trigger the next fold while writing.
        var privateSectors = 0
        var foldAt = DeviceFlash.foldEvery
    }

    // MARK: - FlashMemory

    public func read(offset: Int, length: Int) throws(FlashError) -> [UInt8] {
        try FlashAccess.checkRange(offset: offset, length: length, flashSize: size)
        var out: [UInt8] = []
        out.reserveCapacity(length)
        FlashAccess.forEachSpan(offset: offset, length: length) { index, start, n, _ in
            appendSector(index, from: start, count: n, to: &out)
        }
        return out
    }

    public mutating func apply(_ operation: FlashOperation) throws(FlashError) {
        switch operation {
        case let .erase(offset, length):
            for index in try FlashAccess.erasedSectors(offset: offset, length: length, flashSize: size) {
                let wasPrivate = sectors.removeValue(forKey: index) != nil
                if let slot = slotIndex(ofSector: index) {
                    state[slot].dirty = true
                    if wasPrivate { state[slot].privateSectors -= 1 }
                    if state[slot].content != nil { state[slot].detached.insert(index) }
                }
            }
        case let .write(offset, bytes):
            try FlashAccess.checkRange(offset: offset, length: bytes.count, flashSize: size)
            FlashAccess.forEachSpan(offset: offset, length: bytes.count) { index, inSector, n, i in
                var sector: [UInt8] = []
                sector.reserveCapacity(Self.sectorSize)
                appendSector(index, from: 0, count: Self.sectorSize, to: &sector)
                for k in 0..<n { sector[inSector + k] &= bytes[i + k] }
                let isNew = sectors.updateValue(trimmed(sector), forKey: index) == nil
                if let slot = slotIndex(ofSector: index) {
                    state[slot].dirty = true
                    if isNew { state[slot].privateSectors += 1 }
                }
            }
        }
    }

    // MARK: - Internals

    func appendSector(_ index: Int, from start: Int, count: Int, to out: inout [UInt8]) {
        if let stored = sectors[index] {
            let end = start + count
            if start < stored.count { out.append(contentsOf: stored[start..<min(end, stored.count)]) }
            let filled = max(0, min(end, stored.count) - start)
            out.append(contentsOf: repeatElement(UInt8(0xFF), count: count - filled))
            return
        }
        if let slot = slotIndex(ofSector: index), let content = state[slot].content, !state[slot].detached.contains(index) {
            content.append(sector: index - state[slot].partition.offset / Self.sectorSize, from: start, count: count, to: &out)
            return
        }
        out.append(contentsOf: repeatElement(UInt8(0xFF), count: count))
    }

    func slotIndex(ofSector index: Int) -> Int? {
        let address = index * Self.sectorSize
        return state.firstIndex { $0.partition.range.contains(address) }
    }

    func sectorRange(of partition: Partition) -> Range<Int> {
        (partition.offset / Self.sectorSize)..<((partition.offset + partition.size) / Self.sectorSize)
    }

    func trimmed(_ sector: [UInt8]) -> [UInt8] {
        var end = sector.count
        while end > 0 && sector[end - 1] == 0xFF { end -= 1 }
        return end == sector.count ? sector : Array(sector[0..<end])
    }
}
