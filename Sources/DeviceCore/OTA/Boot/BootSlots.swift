/// ESP-IDF v5.1.1's boot selection (`bootloader_utility_get_selected_boot_partition`) as an
/// ordered table. Rows, first match wins:
///
/// | # | condition                                          | writes (rollback on)      | start               |
/// |---|----------------------------------------------------|---------------------------|---------------------|
/// | 0 | any entry PENDING_VERIFY                           | rewrite it ABORTED        | (continue)          |
/// | 1 | both entries invalid*, factory                     | —                         | factory             |
/// | 2 | both entries invalid*, no factory                  | —                         | ota_0; record the booted slot if both are initial** |
/// | 3 | a valid entry (CRC ok, not INVALID/ABORTED; larger seq wins) | NEW → PENDING_VERIFY | (seq-1) % slots |
/// | 4 | none valid (bad CRC), factory                      | —                         | factory             |
/// | 5 | none valid, no factory                             | —                         | try all slots       |
///
/// *invalid = seq 0xFFFFFFFF, or state INVALID or ABORTED (CRC not checked). **initial = seq
/// 0xFFFFFFFF or CRC mismatch. Row 0 applies only with `CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE`;
/// without it NEW, PENDING_VERIFY, VALID and UNDEFINED all boot.
///
/// With `CONFIG_BOOTLOADER_APP_ANTI_ROLLBACK` rows 1–2 become "both initial: record the booted
/// slot, try all" and row 3 only counts entries whose slot's image passes the secure-version check;
/// a VALID winner burns its image's secure version. The loader then tries `candidates(...)` in order.
public enum BootSlots {
    /// Decides the start index. `antiRollback` is nil when anti-rollback is off; otherwise it says
    /// whether the image in a slot has a `secure_version` the eFuse counter allows.
    public static func decide(_ otadata: OTAData, slotCount: Int, hasFactory: Bool, rollbackEnabled: Bool,
                              otadataOffset: Int, antiRollback: ((Int) -> Bool)? = nil) -> BootDecision {
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
        func result(_ start: Int, _ rule: BootRule, records: Bool = false, burns: Bool = false) -> BootDecision {
            BootDecision(startIndex: start, rule: rule, writes: writes, otadata: data, abortedSectors: aborted,
                         recordsBootedSlot: records, burnsSecureVersion: burns, log: log)
        }
        let bothInitial = data.entries.allSatisfy { $0.sequence == 0xFFFF_FFFF || !$0.crcMatches }
        var usable = [data.entries[0].isValid, data.entries[1].isValid]
        if slotCount <= 0 && antiRollback != nil {
            // No OTA slots: no entry can select one (ESP-IDF's index_to_partition finds nothing).
            log.append("D (boot) partition table does not have bootable ota_apps (app_count=0)")
            if hasFactory {
                log.append("I (boot) Defaulting to factory image")
                return result(-1, .noEntriesBootFactory)
            }
            return result(-1, .noEntriesTryOTA0)
        }
        if let allows = antiRollback {
            log.append("I (boot) Enabled a check secure version of app for anti rollback")
            if bothInitial {
                log.append("I (boot) otadata[0..1] in initial state")
                return result(-1, .noEntriesTryOTA0, records: true)
            }
            for i in 0..<2 where usable[i] {
                let slot = OTAData.slot(forSequence: data.entries[i].sequence, slotCount: max(slotCount, 1))
                if !allows(slot) {
                    usable[i] = false
                    log.append("D (boot) OTA slot " + decimal(Int64(slot))
                               + " has an app with secure_version, this version is smaller than in the device. This OTA slot will not be selected.")
                }
            }
        } else {
            if (data.entries[0].isInvalid && data.entries[1].isInvalid) || slotCount == 0 {
                log.append("D (boot) OTA sequence numbers both empty (all-0xFF) or partition table does not have bootable ota_apps (app_count="
                           + decimal(Int64(slotCount)) + ")")
                if hasFactory {
                    log.append("I (boot) Defaulting to factory image")
                    return result(-1, .noEntriesBootFactory)
                }
                log.append("I (boot) No factory image, trying OTA 0")
                return result(0, .noEntriesTryOTA0, records: bothInitial)
            }
            if usable[0] && usable[1] { log.append("D (boot) Both OTA copies are valid") }
            else if usable[0] { log.append("D (boot) Only otadata[0] is valid") }
            else if usable[1] { log.append("D (boot) Only otadata[1] is valid") }
        }
        guard let active = OTAData.select(data.entries, usable: usable) else {
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
        return result(slot, .activeEntry(active), burns: antiRollback != nil && data.entries[active].state == .valid)
    }

    /// `bootloader_utility_load_boot_image` order: from `startIndex` down to the factory app
    /// (skipped when absent), then the slots above `startIndex`.
    /// Indices with no partition behind them (at or above `slotCount`) are skipped, as
    /// `index_to_partition` returns an empty partition for them.
    public static func candidates(startIndex: Int, slotCount: Int, hasFactory: Bool) -> [Int] {
        var out: [Int] = []
        var i = startIndex
        while i >= -1 {
            if i < 0 ? hasFactory : i < slotCount { out.append(i) }
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
