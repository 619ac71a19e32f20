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
    /// Every flash operation the bootloader performed, in order.
    public var flashOperations: [FlashOperation]
    /// ESP-IDF-style log lines.
    public var log: [String]

    /// The `BootInfo` handed to the app at power-on.
    public var bootInfo: BootInfo {
        BootInfo(slot: index >= 0 ? index : nil, firmwareVersion: app.version, pendingVerify: pendingVerify,
                 rolledBackFrom: rolledBackFrom.map { rolledBackFromVersion ?? ("ota_" + decimal(Int64($0))) })
    }
}
