/// The one-time-programmable security fuses a device's boot and update decisions depend on:
/// the Secure Boot V2 key digests and the anti-rollback secure-version counter, which only grows.
public struct EFuses: Equatable, Sendable {
    /// SHA-256 digests of trusted signing keys (`espsecure digest-sbv2-public-key`), up to 3.
    public private(set) var keyDigests: [[UInt8]]
    /// Secure Boot V2 enabled: every booted or installed image must carry a trusted signature.
    public private(set) var secureBootEnabled: Bool
    /// Anti-rollback counter (`CONFIG_BOOTLOADER_APP_ANTI_ROLLBACK`): images with a smaller
    /// `secure_version` are neither installed nor booted.
    public private(set) var secureVersion: UInt32

    public init(keyDigests: [[UInt8]] = [], secureBootEnabled: Bool = false, secureVersion: UInt32 = 0) {
        self.keyDigests = Array(keyDigests.prefix(3))
        self.secureBootEnabled = secureBootEnabled
        self.secureVersion = secureVersion
    }

    /// Burns the counter up to `version`; a lower value changes nothing (bits cannot be unburned).
    public mutating func burnSecureVersion(_ version: UInt32) {
        if version > secureVersion { secureVersion = version }
    }

    /// True when an image with `secure_version` may run on this chip.
    public func allows(secureVersion version: UInt32) -> Bool { version >= secureVersion }
}
