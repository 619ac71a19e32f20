/// What the OTA agent reads of its device for one event: its configuration and the few facts of
/// the moment a decision depends on. Built by `Device` per OTA event (never on the hot paths).
struct OTAContext {
    /// The device's constants (configuration, by reference).
    let fixed: DeviceFixed
    /// Station mode: there is a network to download from.
    var onStation: Bool
    /// Station mode with WiFi up: a poll may run.
    var online: Bool
    /// The running firmware's version as the device reports it.
    var firmwareVersion: String
    /// The release the running slot was installed under, when NVS knows it.
    var installedRelease: String?
    /// The release this device rolled back from, never installed again from a manifest.
    var rolledBackRelease: String?

    var config: DeviceConfig { fixed.config }

    /// What an offered `version` is compared with: the reported version, or the offer itself when it
    /// names the release the running slot was installed under (already installed: never again, so
    /// a manifest whose name differs from the image's app descriptor cannot cause a download loop).
    func runningVersion(comparedWith offered: String?) -> String {
        if let offered, let installed = installedRelease, sameRelease(offered, installed) { return offered }
        return firmwareVersion
    }
}
