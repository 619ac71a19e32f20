/// `DeviceCrypto` with software SHA-256 and no public-key code: a device built with it can hash and
/// check digests but cannot verify signatures, so it refuses images when signatures are required.
public enum SoftwareCrypto: DeviceCrypto {
    public typealias Hasher = SoftwareSHA256

    /// Always false: no RSA implementation on this platform.
    public static func verifyRSAPSS(modulusBE: [UInt8], exponent: UInt32, digest: [UInt8], signatureBE: [UInt8]) -> Bool {
        false
    }

    /// Always false: no ECDSA implementation on this platform.
    public static func verifyECDSAP256(x: [UInt8], y: [UInt8], digest: [UInt8], r: [UInt8], s: [UInt8]) -> Bool {
        false
    }
}
