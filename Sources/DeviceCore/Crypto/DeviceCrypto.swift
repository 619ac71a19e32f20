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
///
/// The provisioning requirements (protocomm security 1 and 2, see `Provisioning/`) have defaults
/// that answer nil, "not on this platform": a build without them still provisions with security 0
/// and refuses sessions of the other levels with a typed error.
public protocol DeviceCrypto {
    associatedtype Hasher: SHA256Hashing

    /// RSA-3072 PSS (SHA-256, MGF1-SHA-256, salt 32) over `digest`. Key: modulus `n`
    /// big-endian and exponent `e`, as carried in a Secure Boot V2 block (after byte-order fixing).
    static func verifyRSAPSS(modulusBE: [UInt8], exponent: UInt32, digest: [UInt8], signatureBE: [UInt8]) -> Bool

    /// ECDSA P-256 over `digest`, public point and (r, s) big-endian.
    static func verifyECDSAP256(x: [UInt8], y: [UInt8], digest: [UInt8], r: [UInt8], s: [UInt8]) -> Bool

    /// X25519 (RFC 7748): the 32-byte public key of a 32-byte private scalar (clamped as the RFC says).
    static func x25519PublicKey(privateKey: [UInt8]) -> [UInt8]?

    /// X25519 shared secret of our private scalar and the peer's public key, both 32 bytes;
    /// nil when the peer's key is malformed or of small order.
    static func x25519SharedSecret(privateKey: [UInt8], peerPublicKey: [UInt8]) -> [UInt8]?

    /// AES-256-CTR over `input`, starting `streamOffset` bytes into the keystream whose first
    /// counter block is `counter` (16 bytes, incremented as one 128-bit big-endian number, as
    /// mbedTLS and OpenSSL do). Encryption and decryption are the same operation.
    static func aes256CTR(key: [UInt8], counter: [UInt8], streamOffset: Int, _ input: [UInt8]) -> [UInt8]?

    /// AES-256-GCM with a 12-byte nonce and no associated data: ciphertext followed by the 16-byte tag.
    static func aes256GCMSeal(key: [UInt8], nonce: [UInt8], plaintext: [UInt8]) -> [UInt8]?

    /// Opens what `aes256GCMSeal` made; nil when the tag does not verify.
    static func aes256GCMOpen(key: [UInt8], nonce: [UInt8], sealed: [UInt8]) -> [UInt8]?

    /// SHA-512 of `message` (64 bytes).
    static func sha512(_ message: [UInt8]) -> [UInt8]?

    /// `base ^ exponent mod modulus` over unsigned big-endian integers; the result is big-endian
    /// without leading zero bytes (empty for zero), as `mbedtls_mpi_write_binary` of its size gives.
    static func modularExponentiation(base: [UInt8], exponent: [UInt8], modulus: [UInt8]) -> [UInt8]?

    /// `a * b mod modulus`, same conventions as `modularExponentiation`.
    static func modularMultiplication(_ a: [UInt8], _ b: [UInt8], modulus: [UInt8]) -> [UInt8]?

    /// `a + b mod modulus`, same conventions as `modularExponentiation`.
    static func modularAddition(_ a: [UInt8], _ b: [UInt8], modulus: [UInt8]) -> [UInt8]?
}

extension DeviceCrypto {
    /// Not on this platform.
    public static func x25519PublicKey(privateKey: [UInt8]) -> [UInt8]? { nil }
    /// Not on this platform.
    public static func x25519SharedSecret(privateKey: [UInt8], peerPublicKey: [UInt8]) -> [UInt8]? { nil }
    /// Not on this platform.
    public static func aes256CTR(key: [UInt8], counter: [UInt8], streamOffset: Int, _ input: [UInt8]) -> [UInt8]? { nil }
    /// Not on this platform.
    public static func aes256GCMSeal(key: [UInt8], nonce: [UInt8], plaintext: [UInt8]) -> [UInt8]? { nil }
    /// Not on this platform.
    public static func aes256GCMOpen(key: [UInt8], nonce: [UInt8], sealed: [UInt8]) -> [UInt8]? { nil }
    /// Not on this platform.
    public static func sha512(_ message: [UInt8]) -> [UInt8]? { nil }
    /// Not on this platform.
    public static func modularExponentiation(base: [UInt8], exponent: [UInt8], modulus: [UInt8]) -> [UInt8]? { nil }
    /// Not on this platform.
    public static func modularMultiplication(_ a: [UInt8], _ b: [UInt8], modulus: [UInt8]) -> [UInt8]? { nil }
    /// Not on this platform.
    public static func modularAddition(_ a: [UInt8], _ b: [UInt8], modulus: [UInt8]) -> [UInt8]? { nil }

    /// SHA-256 of `message` with the platform's hasher (the proof of possession's digest).
    static func sha256(_ message: [UInt8]) -> [UInt8] {
        var h = Hasher()
        h.update(message[...])
        return h.finalize()
    }
}
