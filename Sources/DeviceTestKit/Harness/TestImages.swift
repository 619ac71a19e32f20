import DeviceCore

/// ESP-IDF app images for tests, built with `AppImageBuilder`: a valid header, app descriptor and
/// appended SHA-256, and a payload derived from the version (same version, same bytes).
public enum TestImages {
    /// An unsigned image of release `version` for `chip` with `payload` bytes of app code.
    public static func simple(_ version: String, secureVersion: UInt32 = 0, payload: Int = 0, chip: ChipModel = .esp32c6) -> [UInt8] {
        var rng = SeededRandom(seed: UInt64(version.utf8.count) &* 31 &+ UInt64(payload))
        let bytes = (0..<payload).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        return AppImageBuilder.simple(chip: chip, version: version, secureVersion: secureVersion, payload: bytes,
                                      hasher: SoftwareSHA256.self)
    }
}
