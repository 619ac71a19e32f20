import DeviceCore

/// How a fleet's firmware is built, offered and updated: the releases the embedded origin serves,
/// signing, and the devices' OTA settings. Part of `FleetConfiguration` (`ota`).
public struct FleetOTAOptions: Sendable, Equatable {
    /// Releases the embedded origin serves as `fw-<version>.bin` (built for the fleet's chip, the
    /// version as the app descriptor's release name).
    public var releases: [String] = []
    /// App descriptor versions of releases whose builds carry another name than the release
    /// (`["v2025.03.25.155052": "b94e7f3-dirty"]`); the others carry the release name.
    public var appVersions: [String: String] = [:]
    /// The release `manifest.json` names; nil: the last of `releases` (no manifest without releases).
    public var manifestRelease: String?
    /// Bytes of app code in each generated image (the image is this plus header, descriptor, hash).
    public var imagePayloadBytes = 256 * 1024
    /// PEM private key (RSA-3072 or ECDSA-P256): every image is signed with it (Secure Boot V2), and
    /// the devices have Secure Boot on with its digest in eFuse, so they boot and install only
    /// images it signed.
    public var signingKeyPath: String?
    /// Devices refuse unsigned images even without Secure Boot in eFuse.
    public var requireSignature = false
    /// Releases whose firmware cannot reach the broker (a bad build): devices that install one
    /// fail to confirm it, reboot and roll back.
    public var brokenReleases: Set<String> = []
    /// A new image must reach the broker within this many seconds or it is rolled back.
    public var confirmWithinSeconds = 60.0
    /// A whole download (image or manifest, every resume included) must end within this many
    /// seconds, or the device abandons it (`OTAConfig.downloadDeadline`; `--download-deadline`).
    public var downloadDeadlineSeconds = 600.0
    /// A download that moves no byte for this many seconds is cancelled and resumed (`OTAConfig.stallTimeout`).
    public var stallTimeoutSeconds = 30.0
    /// Devices poll the manifest this often; nil: only on `{"action":"check"}`.
    public var manifestPollSeconds: Double?
    /// Each wait between polls is the interval ± up to this, per device; nil: a tenth of the interval.
    public var manifestPollJitterSeconds: Double?
    /// Longest a manifest request may take in all, seconds (a backend that trickles or never answers).
    public var manifestTimeoutSeconds = 30
    /// The manifest devices check; nil: the embedded origin's `manifest.json` when it publishes one.
    public var manifestURL: String?
    /// Which name devices report for their firmware and compare offers with (`FirmwareVersionSource`).
    public var versionSource = FirmwareVersionSource.release
    /// Simulate each device's flash, eFuses and bootloader (needed for updates to take effect).
    public var modelFlash = true
    /// Devices are built with anti-rollback (`CONFIG_BOOTLOADER_APP_ANTI_ROLLBACK`), and releases
    /// carry these `secure_version`s (others 0).
    public var antiRollback = false
    public var secureVersions: [String: UInt32] = [:]

    public init() {}

    /// The OTA settings every device of the fleet gets, with the origin's manifest URL.
    func deviceSettings(manifestURL: String?) -> DeviceOTASettings {
        var settings = DeviceOTASettings(manifestURL: manifestURL, pollInterval: manifestPollSeconds.map { .milliseconds(Int64($0 * 1000)) },
                                         confirmWithin: .milliseconds(Int64(confirmWithinSeconds * 1000)),
                                         requireSignature: requireSignature || signingKeyPath != nil,
                                         downloadDeadline: .milliseconds(Int64(downloadDeadlineSeconds * 1000)),
                                         stallTimeout: .milliseconds(Int64(stallTimeoutSeconds * 1000)))
        if let poll = manifestPollSeconds {
            settings.pollJitter = .milliseconds(Int64((manifestPollJitterSeconds ?? poll / 10) * 1000))
        }
        settings.versionSource = versionSource
        return settings
    }
}

/// One device's OTA settings (`DeviceSpec.ota`), applied to its `DeviceConfig`.
public struct DeviceOTASettings: Sendable, Equatable {
    public var manifestURL: String?
    public var pollInterval: TimeSpan?
    public var confirmWithin: TimeSpan
    public var requireSignature: Bool
    /// `CONFIG_BOOTLOADER_APP_ANTI_ROLLBACK` in the firmware build (its bootloader too).
    public var antiRollback = false
    /// Each wait between polls is `pollInterval` ± up to this.
    public var pollJitter = TimeSpan.zero
    public var versionSource = FirmwareVersionSource.release
    public var downloadDeadline: TimeSpan
    public var stallTimeout: TimeSpan

    public init(manifestURL: String? = nil, pollInterval: TimeSpan? = nil, confirmWithin: TimeSpan = .seconds(60),
                requireSignature: Bool = false, downloadDeadline: TimeSpan = .seconds(600), stallTimeout: TimeSpan = .seconds(30)) {
        self.manifestURL = manifestURL
        self.pollInterval = pollInterval
        self.confirmWithin = confirmWithin
        self.requireSignature = requireSignature
        self.downloadDeadline = downloadDeadline
        self.stallTimeout = stallTimeout
    }

    func apply(to config: inout DeviceConfig) {
        config.manifestURL = manifestURL
        config.manifestPollInterval = pollInterval
        config.manifestPollJitter = pollJitter
        config.versionSource = versionSource
        config.ota.confirmWithin = confirmWithin
        config.ota.requireSignature = requireSignature
        config.ota.antiRollbackEnabled = antiRollback
        config.ota.downloadDeadline = downloadDeadline
        config.ota.stallTimeout = stallTimeout
    }
}
