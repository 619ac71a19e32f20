import DeviceCore

/// The hardware under a simulated device's firmware: its flash (`DeviceFlash`), its eFuses and the
/// second-stage bootloader the host runs at every power-on. The host applies the device's `.flash`
/// and `.burnSecureVersion` actions here and hands the device what the bootloader booted.
struct DeviceChip: Sendable {
    private(set) var flash: DeviceFlash
    private(set) var efuses: EFuses
    let bootloader: Bootloader<OpenSSLCrypto>
    /// Releases that cannot reach the broker (a simulated bad build, `FleetOTAOptions.brokenReleases`).
    let brokenReleases: Set<String>
    /// Release name of the app the last boot started, nil before the first or when nothing booted.
    private(set) var runningVersion: String?
    /// Flash actions the chip refused (out of range, unaligned erase): a firmware bug, counted.
    private(set) var flashErrors = 0

    /// A factory-fresh chip: `factoryImage` in ota_0, otadata erased, `efuses` as provisioned.
    init(chip: ChipModel, factoryImage: SharedImage, efuses: EFuses = EFuses(), brokenReleases: Set<String> = [],
         ota: OTAConfig? = nil) {
        let config = ota ?? OTAConfig(chip: chip)
        flash = DeviceFlash(partitions: config.partitions)
        flash.program(factoryImage, slot: 0)
        self.efuses = efuses
        self.brokenReleases = brokenReleases
        bootloader = Bootloader(chip: chip, partitions: config.partitions, rollbackEnabled: config.rollbackEnabled,
                                antiRollbackEnabled: config.antiRollbackEnabled, chipRevision: config.chipRevision)
    }

    /// Runs the bootloader over the flash (after folding finished writes into shared images). The
    /// `BootInfo` for `.powerOn`, or nil when no slot holds a bootable app (the chip never starts).
    mutating func boot() -> BootInfo? {
        flash.settle()
        do {
            let outcome = try bootloader.boot(flash: &flash, efuses: &efuses)
            runningVersion = outcome.app.version
            return outcome.bootInfo(efuses: efuses)
        } catch {
            runningVersion = nil
            return nil
        }
    }

    /// Performs a chip action; false for any action that is not the chip's.
    mutating func perform(_ action: Action) -> Bool {
        switch action {
        case .flash(let op):
            do { try flash.apply(op) } catch { flashErrors += 1 }
            flash.foldWhileWriting()
        case .burnSecureVersion(let v):
            efuses.burnSecureVersion(v)
        default:
            return false
        }
        return true
    }

    /// A download ended: fold what was written into shared images (a device holds no image bytes
    /// of its own at rest).
    mutating func settle() { flash.settle() }

    /// The running firmware is a release that cannot reach the broker.
    var runsBrokenRelease: Bool {
        guard let version = runningVersion else { return false }
        return brokenReleases.contains(version)
    }
}
