/// Why a Secure Boot V2 signature did not verify, in the order a device checks.
public enum SignatureError: Error, Equatable, Sendable {
    /// The device requires a signature and the image has no signature sector after it.
    case missing
    /// The signed file's length is not the image padded to 4 KB plus one 4096-byte sector
    /// (espsecure: "Data size should be non-zero & a multiple of 4096").
    case badSectorSize(Int)
    /// Block `index` does not start with 0xE7.
    case badMagic(index: Int, UInt8)
    /// Block version is neither 2 (RSA) nor 3 (ECDSA), or the ECDSA curve or hash is unknown.
    case unknownScheme(index: Int, version: UInt8, detail: UInt8)
    /// The block's CRC-32 over bytes 0..1195 does not match.
    case crcMismatch(index: Int, stored: UInt32, computed: UInt32)
    /// The scheme is valid Secure Boot V2 but not available on this chip (ECDSA-P384 on ESP32-C6).
    case unsupportedScheme(index: Int, SignatureScheme)
    /// The block's image digest is not the digest of the signed data.
    case digestMismatch(index: Int)
    /// SHA-256 of the embedded public key is not one of the device's trusted digests (eFuse).
    case untrustedKey(index: Int)
    /// The signature does not verify with the embedded (trusted) key.
    case invalidSignature(index: Int)

    /// Short reason text for logs and status messages.
    public var reason: String {
        switch self {
        case .missing: return "no signature"
        case let .badSectorSize(n): return "signed data size " + decimal(Int64(n)) + " is not a 4096-byte sector"
        case let .badMagic(i, m): return "signature block " + decimal(Int64(i)) + " bad magic 0x" + hexString([m])
        case let .unknownScheme(i, v, d):
            return "signature block " + decimal(Int64(i)) + " unknown version " + decimal(Int64(v)) + "/" + decimal(Int64(d))
        case let .crcMismatch(i, _, _): return "signature block " + decimal(Int64(i)) + " CRC mismatch"
        case let .unsupportedScheme(i, s): return "signature block " + decimal(Int64(i)) + " scheme " + s.name + " unsupported"
        case let .digestMismatch(i): return "signature block " + decimal(Int64(i)) + " image digest does not match"
        case let .untrustedKey(i): return "signature block " + decimal(Int64(i)) + " public key is not trusted"
        case let .invalidSignature(i): return "signature block " + decimal(Int64(i)) + " signature does not verify"
        }
    }
}

/// The Secure Boot V2 signature schemes espsecure writes.
public enum SignatureScheme: Equatable, Sendable {
    case rsa3072, ecdsaP256, ecdsaP384

    /// Name as the CLI spells it (`rsa3072`, `ecdsa256`, `ecdsa384`).
    public var name: String {
        switch self {
        case .rsa3072: return "rsa3072"
        case .ecdsaP256: return "ecdsa256"
        case .ecdsaP384: return "ecdsa384"
        }
    }
}
