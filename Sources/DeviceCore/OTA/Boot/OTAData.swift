/// The otadata partition: two 4 KB sectors, each starting with an `esp_ota_select_entry_t`.
/// The pure decisions ESP-IDF makes on it (which entry is active, what to write) live here.
public struct OTAData: Equatable, Sendable {
    public static let sectorSize = 4096
    public static let partitionSize = 2 * sectorSize

    public var entries: [OTASelectEntry]

    public init(entries: [OTASelectEntry]) {
        precondition(entries.count == 2, "otadata has two entries")
        self.entries = entries
    }

    /// Reads both entries from the 8 KB partition content.
    public static func parse(_ partition: [UInt8]) -> OTAData {
        OTAData(entries: [OTASelectEntry.parse(partition[0..<32]), OTASelectEntry.parse(partition[4096..<4128])])
    }

    /// `bootloader_common_get_active_otadata`: the valid entry with the larger sequence (entry 0 on a
    /// tie), or nil when neither is valid.
    public var activeIndex: Int? { Self.select(entries, usable: [entries[0].isValid, entries[1].isValid]) }

    /// `bootloader_common_select_otadata(..., max = true)`: among the usable entries, the larger
    /// sequence (entry 0 on a tie).
    public static func select(_ entries: [OTASelectEntry], usable: [Bool]) -> Int? {
        if usable[0] && usable[1] { return max(entries[0].sequence, entries[1].sequence) == entries[0].sequence ? 0 : 1 }
        if usable[0] { return 0 }
        if usable[1] { return 1 }
        return nil
    }

    /// OTA slot an entry selects: `(ota_seq - 1) % slotCount` (unsigned, as ESP-IDF computes it).
    /// `slotCount` must be at least 1 (a table without OTA slots selects none).
    public static func slot(forSequence sequence: UInt32, slotCount: Int) -> Int {
        precondition(slotCount > 0, "a sequence selects a slot only when there are OTA slots")
        return Int((sequence &- 1) % UInt32(slotCount))
    }

    /// `esp_ota_set_boot_partition` (`esp_rewrite_ota_data`): the entry and sector index to write so
    /// that `slot` boots next. State NEW with rollback on, UNDEFINED without. The sequence is the
    /// smallest one selecting `slot` that is not below the active entry's, computed directly (ESP-IDF
    /// counts up to it, about 2³¹ steps for `0xFFFFFFFE`); when that would reach the erased value
    /// `0xFFFFFFFF` the write is refused, since the entry would read as empty and the slot never boot.
    public func settingBootSlot(_ slot: Int, slotCount: Int, rollbackEnabled: Bool) throws(OTADataError)
        -> (sector: Int, entry: OTASelectEntry) {
        guard slotCount > 0 else { throw .noSlots }
        guard slot >= 0, slot < slotCount, slotCount < 0x7FFF_FFFF else { throw .noSuchSlot(slot) }
        let state: OTAImageState = rollbackEnabled ? .new : .undefined
        let count = UInt64(slotCount)
        if let active = activeIndex {
            let seq = UInt64(entries[active].sequence)
            let base = (UInt64(slot) + 1) % count
            let steps = seq > base ? (seq - base + count - 1) / count : 0
            let next = base + steps * count
            guard next < 0xFFFF_FFFF else { throw .sequenceExhausted(active: entries[active].sequence) }
            let sector = active ^ 1
            return (sector, OTASelectEntry.sealed(sequence: UInt32(next), state: state, label: entries[sector].sequenceLabel))
        }
        return (0, OTASelectEntry.sealed(sequence: UInt32(slot) + 1, state: state, label: entries[0].sequenceLabel))
    }

    /// `esp_ota_mark_app_valid_cancel_rollback` / `..._invalid_rollback`: the active entry rewritten
    /// with `state`; nil when no entry is active (factory app) or it already has that state
    /// (ESP-IDF writes nothing for an already VALID entry).
    public func markingActive(_ state: OTAImageState) -> (sector: Int, entry: OTASelectEntry)? {
        guard let active = activeIndex else { return nil }
        if state == .valid && entries[active].state == .valid { return nil }
        var entry = entries[active]
        entry.state = state
        entry.crc = OTASelectEntry.crc(for: entry.sequence)
        return (active, entry)
    }

    /// The entry after applying a write made by `OTAData` decisions.
    public func applying(sector: Int, entry: OTASelectEntry) -> OTAData {
        var copy = self
        copy.entries[sector] = entry
        return copy == Self.firstBoot ? Self.firstBoot : copy
    }

    /// otadata after a factory-fresh chip's first boot: ota_0 recorded VALID over erased otadata.
    /// Every device of a fleet keeps it until its first update (`OTABootState`), so they share this
    /// one buffer (as erased labels share `OTASelectEntry.erasedLabel`) instead of ~110 bytes each.
    static let firstBoot = OTAData(entries: [BootSlots.recordingBoot(ofSlot: 0).entry, .erased])

    /// The flash operations ESP-IDF performs for one entry write: erase the sector, write 32 bytes.
    public static func flashOperations(partitionOffset: Int, sector: Int, entry: OTASelectEntry) -> [FlashOperation] {
        let offset = partitionOffset + sector * sectorSize
        return [.erase(offset: offset, length: sectorSize), .write(offset: offset, bytes: entry.bytes)]
    }
}

/// Why otadata cannot be written to select a slot. The device keeps booting what it runs.
public enum OTADataError: Error, Equatable, Sendable {
    /// The partition table has no OTA app slots.
    case noSlots
    /// The slot index is not one of the table's OTA slots.
    case noSuchSlot(Int)
    /// The active entry's sequence is so high that every sequence selecting the slot would be the
    /// erased value `0xFFFFFFFF` or wrap around (otadata written by something else, or corrupted).
    case sequenceExhausted(active: UInt32)

    /// Short reason for logs and the status topic.
    public var reason: String {
        switch self {
        case .noSlots: return "no OTA slots in the partition table"
        case let .noSuchSlot(slot): return "no OTA slot " + decimal(Int64(slot))
        case let .sequenceExhausted(active): return "otadata sequence " + hex8(active) + " leaves no higher sequence for the slot"
        }
    }
}
