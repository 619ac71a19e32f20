/// An otadata write (erase the sector, program the 32-byte entry).
public struct OTADataWrite: Equatable, Sendable {
    public var sector: Int
    public var entry: OTASelectEntry
    public init(sector: Int, entry: OTASelectEntry) {
        self.sector = sector
        self.entry = entry
    }
}

/// Which decision-table row chose the boot index.
public enum BootRule: Equatable, Sendable {
    /// Both entries erased/INVALID/ABORTED (or no OTA slots), factory present: boot factory.
    case noEntriesBootFactory
    /// Both entries erased/INVALID/ABORTED, no factory: try ota_0 and record the slot that boots.
    case noEntriesTryOTA0
    /// A valid entry (CRC ok, not INVALID/ABORTED) wins; the larger sequence if both are.
    case activeEntry(Int)
    /// Entries present but none valid (bad CRC), factory present.
    case noValidEntryBootFactory
    /// Entries present but none valid, no factory: try every slot from ota_0.
    case noValidEntryTryAll
}

/// What the bootloader decided before loading anything.
public struct BootDecision: Equatable, Sendable {
    /// Partition index to try first: -1 factory, n for `ota_n`.
    public var startIndex: Int
    public var rule: BootRule
    /// otadata writes made while deciding, in order (PENDING_VERIFY→ABORTED, NEW→PENDING_VERIFY).
    public var writes: [OTADataWrite]
    /// otadata after those writes.
    public var otadata: OTAData
    /// Entries rewritten PENDING_VERIFY → ABORTED: an unconfirmed update is being rolled back.
    public var abortedSectors: [Int]
    /// `ota_has_initial_contents`: record `seq = index + 1, VALID` in sector 0 for the slot that boots.
    public var recordsBootedSlot: Bool
    /// ESP-IDF's debug log lines for these steps.
    public var log: [String]
}

/// ESP-IDF v5.1.1's boot selection (`bootloader_utility_get_selected_boot_partition`) as an
/// ordered table. Rows, first match wins:
///
/// | # | condition                                   | rollback on writes                | start            |
/// |---|---------------------------------------------|-----------------------------------|------------------|
/// | 0 | any entry PENDING_VERIFY                    | rewrite it ABORTED (both checked) | (continue)       |
/// | 1 | both entries invalid*, factory              | —                                 | factory          |
/// | 2 | both entries invalid*, no factory           | —                                 | ota_0, record it |
/// | 3 | a valid entry (larger seq wins)             | NEW → PENDING_VERIFY              | (seq-1) % slots  |
/// | 4 | none valid (bad CRC), factory               | —                                 | factory          |
/// | 5 | none valid, no factory                      | —                                 | try all slots    |
///
/// *invalid = seq 0xFFFFFFFF, or state INVALID or ABORTED (CRC not checked). Row 0 applies only
/// with `CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE`; without it NEW/PENDING_VERIFY/VALID/UNDEFINED all boot.
/// The loader then tries `candidates(...)` in order, and the first image that verifies boots.
public enum BootSlots {
    public static func decide(_ otadata: OTAData, slotCount: Int, hasFactory: Bool, rollbackEnabled: Bool,
                              otadataOffset: Int) -> BootDecision {
        var data = otadata
        var writes: [OTADataWrite] = []
        var aborted: [Int] = []
        var log = ["D (boot) OTA data offset " + hex(UInt32(otadataOffset))]
        for i in 0..<2 { log.append("D (boot) otadata[" + decimal(Int64(i)) + "]: sequence values " + hex8(data.entries[i].sequence)) }
        if rollbackEnabled {
            for i in 0..<2 where data.entries[i].state == .pendingVerify {
                log.append("D (boot) otadata[" + decimal(Int64(i)) + "] is marking as ABORTED")
                data.entries[i].state = .aborted
                writes.append(OTADataWrite(sector: i, entry: data.entries[i]))
                aborted.append(i)
            }
        }
        func result(_ start: Int, _ rule: BootRule, records: Bool = false) -> BootDecision {
            BootDecision(startIndex: start, rule: rule, writes: writes, otadata: data, abortedSectors: aborted,
                         recordsBootedSlot: records, log: log)
        }
        if (data.entries[0].isInvalid && data.entries[1].isInvalid) || slotCount == 0 {
            log.append("D (boot) OTA sequence numbers both empty (all-0xFF) or partition table does not have bootable ota_apps (app_count="
                       + decimal(Int64(slotCount)) + ")")
            if hasFactory {
                log.append("I (boot) Defaulting to factory image")
                return result(-1, .noEntriesBootFactory)
            }
            log.append("I (boot) No factory image, trying OTA 0")
            return result(0, .noEntriesTryOTA0, records: true)
        }
        let v0 = data.entries[0].isValid, v1 = data.entries[1].isValid
        if v0 && v1 { log.append("D (boot) Both OTA copies are valid") }
        else if v0 { log.append("D (boot) Only otadata[0] is valid") }
        else if v1 { log.append("D (boot) Only otadata[1] is valid") }
        guard let active = data.activeIndex else {
            if hasFactory {
                log.append("E (boot) ota data partition invalid, falling back to factory")
                return result(-1, .noValidEntryBootFactory)
            }
            log.append("E (boot) ota data partition invalid and no factory, will try all partitions")
            return result(-1, .noValidEntryTryAll)
        }
        log.append("D (boot) Active otadata[" + decimal(Int64(active)) + "]")
        let rawSeq = data.entries[active].sequence &- 1
        let slot = OTAData.slot(forSequence: data.entries[active].sequence, slotCount: slotCount)
        log.append("D (boot) Mapping seq " + decimal(Int64(rawSeq)) + " -> OTA slot " + decimal(Int64(slot)))
        if rollbackEnabled && data.entries[active].state == .new {
            log.append("D (boot) otadata[" + decimal(Int64(active)) + "] is selected as new and marked PENDING_VERIFY state")
            data.entries[active].state = .pendingVerify
            writes.append(OTADataWrite(sector: active, entry: data.entries[active]))
        }
        return result(slot, .activeEntry(active))
    }

    /// `bootloader_utility_load_boot_image` order: from `startIndex` down to the factory app
    /// (skipped when absent), then the slots above `startIndex`.
    public static func candidates(startIndex: Int, slotCount: Int, hasFactory: Bool) -> [Int] {
        var out: [Int] = []
        var i = startIndex
        while i >= -1 {
            if i >= 0 || hasFactory { out.append(i) }
            i -= 1
        }
        i = startIndex + 1
        while i < slotCount { out.append(i); i += 1 }
        return out
    }

    /// `set_actual_ota_seq`: what the bootloader records after booting slot `index` from empty otadata.
    public static func recordingBoot(ofSlot index: Int) -> OTADataWrite {
        OTADataWrite(sector: 0, entry: .sealed(sequence: UInt32(index) + 1, state: .valid))
    }
}

/// `0x%x`.
func hex(_ v: UInt32) -> String {
    var digits = hexString(be32(v))
    while digits.utf8.count > 1 && digits.utf8.first == UInt8(ascii: "0") { digits = String(digits.dropFirst()) }
    return "0x" + digits
}

/// `0x%08x`.
func hex8(_ v: UInt32) -> String { "0x" + hexString(be32(v)) }
