/// Which name a device gives its running firmware: in heartbeats (`fw`), `GET /version`, `GET /info`,
/// and when it compares an offered version (manifest, OTA command, `POST /update`) with what runs.
///
/// ESP-IDF builds carry two names. The app descriptor (`esp_app_desc_t.version`) is what the build
/// system stamped, often a git description such as `b94e7f3-dirty`. The release name is what the
/// backend calls the build (`v2025.03.25.155052` in its manifest); the reference firmware compiles it
/// in as a string and compares it with the manifest's `version` by `strcmp`.
public enum FirmwareVersionSource: Equatable, Sendable {
    /// The release name the running image was installed under (the manifest's or the command's
    /// `version`), as the reference firmware's compiled-in string; for the factory image, the
    /// version the device was built with (`DeviceConfig.firmwareVersion`); the app descriptor's
    /// version for updates that named none. Versions are ordered (semver, dotted numbers), so an
    /// older offer is not installed.
    case release
    /// The app descriptor's version, as `esp_app_get_description()` returns it. An offer whose
    /// version is not a dotted number either is installed whenever its text differs (`strcmp`).
    case appDescriptor

    /// `release` or `app_descriptor`, the name scenarios and flags use.
    public var name: String {
        switch self {
        case .release: return "release"
        case .appDescriptor: return "app_descriptor"
        }
    }

    public init?(name: String) {
        switch name {
        case "release": self = .release
        case "app_descriptor": self = .appDescriptor
        default: return nil
        }
    }
}

/// The release name an OTA slot's image was installed under (kept in NVS next to the image).
public struct SlotRelease: Equatable, Sendable {
    public var slot: Int
    public var name: String
}
