import DeviceCore

/// The host's side of the device's chip: every power-on runs the bootloader over the device's flash
/// and tells the firmware what it booted.
extension DeviceHost {
    /// Runs the bootloader (`chip`), or without a chip reports the spec's version in ota_0. nil when
    /// nothing is bootable: the device stays dark, as a bricked ESP32 would.
    func bootChip() -> BootInfo? {
        guard chip != nil else { return BootInfo(slot: 0, firmwareVersion: runningVersion) }
        guard let boot = chip?.boot() else {
            counters.bump(counters.bricked)
            return nil
        }
        if boot.rolledBackFrom != nil { counters.bump(counters.rollbacks) }
        if boot.pendingVerify { counters.bump(counters.imagesBooted) }
        return boot  // the version the device reports is read after it handled `.powerOn`
    }

    /// The running firmware is a release that cannot reach the broker (`FleetOTAOptions.brokenReleases`).
    var runsBrokenRelease: Bool { chip?.runsBrokenRelease ?? false }
}
