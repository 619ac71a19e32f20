/// Incremental SHA-256, fed as firmware bytes arrive. A value (Sendable): a device holding one
/// mid-download can move between threads like any other device state.
public protocol SHA256Hashing: Sendable {
    init()
    mutating func update(_ bytes: ArraySlice<UInt8>)
    /// The 32-byte digest; the hasher must not be used afterwards.
    mutating func finalize() -> [UInt8]
}

/// The crypto a device needs, supplied by the platform: software or hardware SHA-256 and
/// Secure Boot V2 signature checks. Generic (not `any`) so DeviceCore stays Embedded-clean.
/// SimFleet implements it with OpenSSL; the chip would use its accelerators.
public protocol DeviceCrypto {
    associatedtype Hasher: SHA256Hashing

    /// RSA-3072 PSS (SHA-256, MGF1-SHA-256, salt 32) over `digest`. Key: modulus `n`
    /// big-endian and exponent `e`, as carried in a Secure Boot V2 block (after byte-order fixing).
    static func verifyRSAPSS(modulusBE: [UInt8], exponent: UInt32, digest: [UInt8], signatureBE: [UInt8]) -> Bool

    /// ECDSA P-256 over `digest`, public point and (r, s) big-endian.
    static func verifyECDSAP256(x: [UInt8], y: [UInt8], digest: [UInt8], r: [UInt8], s: [UInt8]) -> Bool
}
