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
    /// Both entries erased/INVALID/ABORTED, no factory: try ota_0 (recording the slot that boots when
    /// both entries are initial). With anti-rollback: both initial, try every slot and record.
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
    /// Anti-rollback: the winning entry is VALID, so its image's secure version is burned at boot.
    public var burnsSecureVersion: Bool
    /// ESP-IDF's debug log lines for these steps.
    public var log: [String]
}
