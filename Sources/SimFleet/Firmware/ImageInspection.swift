import DeviceCore

/// What `simfleet inspect` found in one file: the parsed image (as esptool `image-info` reads it),
/// each Secure Boot V2 block with its verdict, and the single reason the file fails, if it does.
public struct ImageInspection: Sendable {
    public var fileSize: Int
    /// Nil when the file is not a readable image (`error` says why).
    public var image: AppImage?
    public var signatures: [SignatureCheck]
    /// Why the signature sector could not be read, when there is one but it is malformed.
    public var signatureSectorProblem: String?
    /// How many trusted keys the check used; 0 means blocks were checked against their own key only.
    public var trustedKeyCount: Int
    /// Nil when the file passes: valid image and, with keys, one block verified by one of them.
    public var error: String?

    public var passed: Bool { error == nil }
}

/// One signature block and whether it verifies.
public struct SignatureCheck: Equatable, Sendable {
    public var index: Int
    public var scheme: SignatureScheme
    /// SHA-256 of the block's key field (the eFuse digest of the key that signed it).
    public var keyDigest: [UInt8]
    /// With trusted keys: the block's key is one of them and the signature verifies. Without:
    /// the block is intact and verifies with the key embedded in it.
    public var verified: Bool
    /// Whether the block's key digest is one of the given keys' digests; nil when no key was given.
    public var keyTrusted: Bool?
    /// Why it did not verify (nil when it did).
    public var reason: String?
    /// False for schemes the ESP32-C6 ROM cannot check (ECDSA-P384), even when the host verifies them.
    public var bootableOnESP32C6: Bool
}
