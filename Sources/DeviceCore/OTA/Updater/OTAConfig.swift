/// The device build's OTA settings (sdkconfig and firmware constants).
public struct OTAConfig: Equatable, Sendable {
    public var chip: ChipModel
    /// Chip revision (major * 100 + minor) checked against the image's min/max; nil skips it.
    public var chipRevision: UInt16?
    public var partitions: PartitionTable
    /// `CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE`: new images boot PENDING_VERIFY and must be confirmed.
    public var rollbackEnabled: Bool
    /// `CONFIG_BOOTLOADER_APP_ANTI_ROLLBACK`: refuse images below the eFuse secure version.
    public var antiRollbackEnabled: Bool
    /// Refuse images without a trusted Secure Boot V2 signature (always true when secure boot is on).
    public var requireSignature: Bool
    /// No byte for this long while downloading: cancel and resume.
    public var stallTimeout: TimeSpan
    /// The whole download, from the first request through every resume, must end within this;
    /// otherwise it is cancelled and refused (`download_deadline`). A server trickling one byte
    /// per `stallTimeout` would otherwise keep the device busy forever. Also bounds a manifest fetch.
    public var downloadDeadline: TimeSpan
    /// Resumes after a drop or stall before giving up.
    public var maxAttempts: Int
    /// First wait before resuming; doubles per attempt up to 30 s.
    public var retryDelay: TimeSpan
    /// A PENDING_VERIFY image must reach the broker within this time or the device reboots to roll back.
    public var confirmWithin: TimeSpan

    public init(chip: ChipModel, partitions: PartitionTable = .reference, rollbackEnabled: Bool = true,
                antiRollbackEnabled: Bool = false, requireSignature: Bool = false, stallTimeout: TimeSpan = .seconds(30),
                maxAttempts: Int = 5, retryDelay: TimeSpan = .seconds(1), confirmWithin: TimeSpan = .seconds(60),
                chipRevision: UInt16? = nil, downloadDeadline: TimeSpan = .seconds(600)) {
        self.chip = chip
        self.chipRevision = chipRevision
        self.partitions = partitions
        self.rollbackEnabled = rollbackEnabled
        self.antiRollbackEnabled = antiRollbackEnabled
        self.requireSignature = requireSignature
        self.stallTimeout = stallTimeout
        self.downloadDeadline = downloadDeadline
        self.maxAttempts = maxAttempts
        self.retryDelay = retryDelay
        self.confirmWithin = confirmWithin
    }
}

/// What the app knows about its own image at power-on (from the bootloader and eFuses).
public struct OTABootState: Equatable, Sendable {
    /// Running OTA slot, nil for a factory app.
    public var slot: Int?
    public var pendingVerify: Bool
    /// otadata as the bootloader left it.
    public var otadata: OTAData
    public var efuses: EFuses
    /// `secure_version` of the running image (burned into eFuse when it is confirmed).
    public var runningSecureVersion: UInt32
    /// Why the bootloader abandoned another slot on this boot, nil when it did not.
    public var rollbackCause: RollbackCause?

    public init(slot: Int?, pendingVerify: Bool, otadata: OTAData, efuses: EFuses, runningSecureVersion: UInt32 = 0,
                rollbackCause: RollbackCause? = nil) {
        self.slot = slot
        self.pendingVerify = pendingVerify
        self.otadata = otadata
        self.efuses = efuses
        self.runningSecureVersion = runningSecureVersion
        self.rollbackCause = rollbackCause
    }

    /// From a bootloader outcome and the eFuses after boot.
    public init(outcome: BootOutcome, efuses: EFuses) {
        self.init(slot: outcome.index >= 0 ? outcome.index : nil, pendingVerify: outcome.pendingVerify,
                  otadata: outcome.otadata, efuses: efuses, runningSecureVersion: outcome.app.secureVersion,
                  rollbackCause: outcome.rollbackCause)
    }

    /// What a host that models no flash implies: a chip flashed with the running image in `boot.slot`
    /// whose bootloader recorded that slot (`seq = slot + 1, VALID` in sector 0), default eFuses.
    public init(assuming boot: BootInfo) {
        var otadata = OTAData(entries: [.erased, .erased])
        if let slot = boot.slot {
            let w = BootSlots.recordingBoot(ofSlot: slot)
            otadata = otadata.applying(sector: w.sector, entry: w.entry)
        }
        self.init(slot: boot.slot, pendingVerify: boot.pendingVerify, otadata: otadata, efuses: EFuses())
    }
}

/// Download progress for the status heartbeat.
public struct OTAProgress: Equatable, Sendable {
    /// `OTAUpdater` state name (`idle`, `downloading`, ...).
    public var state: String
    public var bytes: Int
    public var total: Int?
    /// 0...100 when the total is known.
    public var percent: Int?
}
