/// Why a candidate app partition did not boot.
public enum BootImageError: Error, Equatable, Sendable {
    case image(ImageError)
    case signature(SignatureError)
    /// Anti-rollback: the image's `secure_version` is below the eFuse counter.
    case secureVersionTooLow(image: UInt32, efuse: UInt32)
    case flash(FlashError)
}

/// Nothing bootable: ESP-IDF logs "No bootable app partitions" and resets forever.
public enum BootError: Error, Equatable, Sendable {
    case noBootableApp(log: [String])
    case flash(FlashError)
}

/// What the bootloader booted and what it changed on the way.
public struct BootOutcome: Equatable, Sendable {
    /// -1 for the factory app, n for `ota_n`.
    public var index: Int
    public var partition: Partition
    public var app: AppDescriptor
    public var decision: BootDecision
    /// otadata as it is on flash after the boot.
    public var otadata: OTAData
    /// The running image is PENDING_VERIFY: the app must confirm it or the next boot rolls back.
    public var pendingVerify: Bool
    /// The slot abandoned on this boot (an unconfirmed update aborted, or the chosen image failed).
    public var rolledBackFrom: Int?
    /// App version of the abandoned slot, when its descriptor is readable.
    public var rolledBackFromVersion: String?
    /// Why `rolledBackFrom` was abandoned; nil when nothing was.
    public var rollbackCause: RollbackCause?
    /// Every flash operation the bootloader performed, in order.
    public var flashOperations: [FlashOperation]
    /// ESP-IDF-style log lines.
    public var log: [String]

    /// The `BootInfo` handed to the app at power-on (without the updater's boot state).
    public var bootInfo: BootInfo {
        BootInfo(slot: index >= 0 ? index : nil, firmwareVersion: app.version, pendingVerify: pendingVerify,
                 rolledBackFrom: rolledBackFrom.map { rolledBackFromVersion ?? ("ota_" + decimal(Int64($0))) })
    }

    /// The `BootInfo` a host hands to `Device` at power-on: `bootInfo` plus the updater's boot state
    /// with the eFuses as they are after this boot.
    public func bootInfo(efuses: EFuses) -> BootInfo {
        var info = bootInfo
        info.ota = OTABootState(outcome: self, efuses: efuses)
        return info
    }
}

/// Why the bootloader abandoned a slot and booted another one.
public enum RollbackCause: Equatable, Sendable {
    /// The slot's image was still PENDING_VERIFY at reset (never confirmed): marked ABORTED.
    case unconfirmed
    /// The slot otadata selected holds no image that verifies (bad header, hash, signature...).
    case notBootable

    /// Wire name for the status topic: `unconfirmed`, `not_bootable`.
    public var name: String {
        switch self {
        case .unconfirmed: return "unconfirmed"
        case .notBootable: return "not_bootable"
        }
    }
}
