import DeviceCore
import DeviceTestKit

/// DeviceFlash is a storage for the kit's one chip model: operations fold while a slot is being
/// written, and `settle` folds the rest when the writing stops.
extension DeviceFlash: ChipFlash {
    public mutating func operationApplied() { foldWhileWriting() }
}

/// The hardware under a simulated fleet device: `DeviceTestKit`'s `Chip` (bootloader, eFuses,
/// flash actions: the same model DeviceCore's tests use) over the fleet's shared-image storage
/// (`DeviceFlash`), plus which releases cannot reach the broker. The host applies the device's
/// `.flash` and `.burnSecureVersion` actions here and hands the device what the bootloader booted.
struct DeviceChip: Sendable {
    private(set) var hardware: Chip<OpenSSLCrypto, DeviceFlash>
    /// Releases that cannot reach the broker (a simulated bad build, `FleetOTAOptions.brokenReleases`).
    let brokenReleases: Set<String>

    /// A factory-fresh chip: `factoryImage` in ota_0, otadata erased, `efuses` as provisioned.
    init(chip: ChipModel, factoryImage: SharedImage, efuses: EFuses = EFuses(), brokenReleases: Set<String> = [],
         ota: OTAConfig? = nil) {
        let config = ota ?? OTAConfig(chip: chip)
        var flash = DeviceFlash(partitions: config.partitions)
        flash.program(factoryImage, slot: 0)
        hardware = Chip(ota: config, flash: flash, efuses: efuses)
        self.brokenReleases = brokenReleases
    }

    /// Whether boots keep their log and flash operations (`Chip.keepsBootRecord`).
    var keepsBootRecord: Bool {
        get { hardware.keepsBootRecord }
        set { hardware.keepsBootRecord = newValue }
    }
    var flash: DeviceFlash { hardware.flash }
    var efuses: EFuses { hardware.efuses }
    var bootloader: Bootloader<OpenSSLCrypto> { hardware.bootloader }
    /// Release name of the app the last boot started, nil before the first or when nothing booted.
    var runningVersion: String? { hardware.runningVersion }
    /// Flash actions the chip refused (out of range, unaligned erase): a firmware bug, counted.
    var flashErrors: Int { hardware.flashErrors.count }

    /// Runs the bootloader over the flash (after folding finished writes into shared images). The
    /// `BootInfo` for `.powerOn`, or nil when no slot holds a bootable app (the chip never starts).
    mutating func boot(_ reason: ResetReason = .powerOn) -> BootInfo? { hardware.powerOn(reason) }

    /// Performs a chip action; false for any action that is not the chip's.
    mutating func perform(_ action: Action) -> Bool { hardware.perform(action) != .notChip }

    /// Power fails part-way through `operation` (`numerator/denominator` of it lands).
    mutating func cutPower(during operation: FlashOperation, numerator: Int = 1, denominator: Int = 2) {
        hardware.cutPower(during: operation, numerator: numerator, denominator: denominator)
    }

    /// Only for the swarm's planted bug (`PlantedBug.eFuseBurnLostOnTornWrite`, set by a test):
    /// the eFuses go back to an earlier state, which real eFuses never do.
    mutating func restoreEFusesForPlantedBug(_ efuses: EFuses) { hardware.efuses = efuses }

    /// A download ended: fold what was written into shared images (a device holds no image bytes
    /// of its own at rest).
    mutating func settle() { hardware.settle() }

    /// The running firmware is a release that cannot reach the broker.
    var runsBrokenRelease: Bool {
        guard let version = runningVersion else { return false }
        return brokenReleases.contains(version)
    }
}
