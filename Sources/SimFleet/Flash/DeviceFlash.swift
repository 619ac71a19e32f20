import DeviceCore

/// A simulated device's NOR flash, cheap enough for ten thousand devices: app slots point at a
/// `SharedImage` (content-addressed, shared across the fleet; `SlotContent`) and only the sectors
/// a device has erased or written since are private to it, stored without their 0xFF tail (an
/// otadata sector costs 32 bytes, not 4 KB, shared by the devices that wrote the same:
/// `SmallSectors`). Reads return exactly what a plain `NORFlash` would hold.
///
/// A download writes the new image into private sectors (about its size, while it runs);
/// `settle()` then folds each slot back into a shared image — or into a release image plus the few
/// sectors that differ, for a download cut short or corrupted — so at rest a device holds otadata,
/// two references and at most a few patched sectors.
public struct DeviceFlash: FlashMemory, Sendable {
    public static let sectorSize = NORFlash.sectorSize

    /// Bytes of flash.
    public var size: Int { Int(byteCount) }
    /// Private sectors by index; a missing tail is 0xFF. Sectors outside the app slots whose bytes
    /// fit in 32 (otadata entries) are in `small` instead; no sector is in both.
    var sectors: [Int: [UInt8]] = [:]
    /// The OTA app slots (the partitions whose content may be shared) and what each holds. One
    /// array for all of it: ten thousand devices pay for one small allocation each, not six.
    var state: [SlotState]
    /// Private sectors a slot may collect while being written before it is folded into the release
    /// it matches (a download in progress costs at most this much per device).
    public static let foldEvery = 16
    let store: ImageStore
    // The size (32 bits) last, so the chip's one-byte fields pack after it.
    var small = SmallSectors()
    private let byteCount: UInt32

    /// An erased chip of `size` bytes with the app slots of `partitions`.
    public init(size: Int = 8 * 1024 * 1024, partitions: PartitionTable = .reference, store: ImageStore = .shared) {
        precondition(size > 0 && size % Self.sectorSize == 0, "flash size must be whole sectors")
        precondition(size <= Int(UInt32.max), "flash size must fit in 32 bits")
        self.byteCount = UInt32(size)
        self.state = partitions.otaSlots.map { SlotState(partition: $0) }
        self.store = store
    }

    /// One app slot: where it lies and the shared content under its private sectors. Compact (the
    /// slot as a sector range, counts as `Int32`): every device holds one per slot.
    struct SlotState: Sendable {
        /// The shared content under the private sectors (0xFF past its end).
        var content: SlotContent?
        /// Sectors erased since `content` was set, which no longer read from it.
        var detached: Set<Int> = []
        /// The slot's sectors, `firstSector..<endSector`.
        let firstSector: Int32
        let endSector: Int32
        /// Private sectors now, and how many trigger the next fold while writing.
        private var privateCount: Int32 = 0
        private var foldCount = Int32(DeviceFlash.foldEvery)
        /// Erased or written since it was last settled.
        var dirty = false

        init(partition: Partition) {
            firstSector = Int32(partition.offset / DeviceFlash.sectorSize)
            endSector = Int32((partition.offset + partition.size) / DeviceFlash.sectorSize)
        }

        var sectors: Range<Int> { Int(firstSector)..<Int(endSector) }
        var offset: Int { Int(firstSector) * DeviceFlash.sectorSize }
        var size: Int { Int(endSector - firstSector) * DeviceFlash.sectorSize }
        var privateSectors: Int {
            get { Int(privateCount) }
            set { privateCount = Int32(truncatingIfNeeded: newValue) }
        }
        var foldAt: Int {
            get { Int(foldCount) }
            set { foldCount = Int32(clamping: newValue) }
        }
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
                let wasPrivate = sectors.removeValue(forKey: index) != nil || small.remove(index)
                if let slot = slotIndex(ofSector: index) { erased(index, inSlot: slot, wasPrivate: wasPrivate) }
            }
        case let .write(offset, bytes):
            try FlashAccess.checkRange(offset: offset, length: bytes.count, flashSize: size)
            FlashAccess.forEachSpan(offset: offset, length: bytes.count) { index, inSector, n, i in
                var sector: [UInt8] = []
                sector.reserveCapacity(Self.sectorSize)
                appendSector(index, from: 0, count: Self.sectorSize, to: &sector)
                for k in 0..<n { sector[inSector + k] &= bytes[i + k] }
                let kept = sector[0..<trimmedCount(sector)]
                guard let slot = slotIndex(ofSector: index) else {
                    if small.store(kept, sector: index) {
                        sectors.removeValue(forKey: index)
                    } else {
                        small.remove(index)
                        sectors[index] = Array(kept)
                    }
                    return
                }
                let isNew = sectors.updateValue(Array(kept), forKey: index) == nil
                wrote(inSlot: slot, newSector: isNew)
            }
        }
    }

    // The two changes to `state` an operation makes, each out of line: inlined, the optimiser hoists
    // the array's uniqueness check out of `apply`'s loops, so every boot's otadata write (which
    // touches no app slot) copied the slot array a fleet's chips share with their factory template,
    // 112 bytes a device.

    /// Sector `index` of app slot `slot` was erased.
    @inline(never)
    private mutating func erased(_ index: Int, inSlot slot: Int, wasPrivate: Bool) {
        state[slot].dirty = true
        if wasPrivate { state[slot].privateSectors -= 1 }
        if state[slot].content != nil { state[slot].detached.insert(index) }
    }

    /// A sector of app slot `slot` was written; `newSector`: it was not private before.
    @inline(never)
    private mutating func wrote(inSlot slot: Int, newSector: Bool) {
        state[slot].dirty = true
        if newSector { state[slot].privateSectors += 1 }
    }

    // MARK: - Internals

    func appendSector(_ index: Int, from start: Int, count: Int, to out: inout [UInt8]) {
        func append(_ stored: ArraySlice<UInt8>) {
            let end = start + count
            let base = stored.startIndex
            if start < stored.count { out.append(contentsOf: stored[(base + start)..<(base + min(end, stored.count))]) }
            let filled = max(0, min(end, stored.count) - start)
            Self.appendErased(count - filled, to: &out)
        }
        if let stored = small.bytes(ofSector: index) { return append(stored) }
        if let stored = sectors[index] { return append(stored[...]) }
        if let slot = slotIndex(ofSector: index), let content = state[slot].content, !state[slot].detached.contains(index) {
            content.append(sector: index - Int(state[slot].firstSector), from: start, count: count, to: &out)
            return
        }
        Self.appendErased(count, to: &out)
    }

    /// One erased sector, the source of every 0xFF tail a read appends: copying from it is a
    /// `memcpy` in any build, where appending `repeatElement(0xFF, …)` went byte by byte through
    /// generic code in debug builds (most of a debug fleet's boot, which reads both app slots).
    private static let erasedSector = [UInt8](repeating: 0xFF, count: sectorSize)

    /// Appends `count` erased bytes.
    static func appendErased(_ count: Int, to out: inout [UInt8]) {
        var left = count
        while left > 0 {
            let n = min(left, sectorSize)
            out.append(contentsOf: erasedSector[0..<n])
            left -= n
        }
    }

    func slotIndex(ofSector index: Int) -> Int? {
        state.firstIndex { $0.sectors.contains(index) }
    }

    /// How many bytes of `sector` remain without its 0xFF tail.
    func trimmedCount(_ sector: [UInt8]) -> Int {
        var end = sector.count
        while end > 0 && sector[end - 1] == 0xFF { end -= 1 }
        return end
    }
}
