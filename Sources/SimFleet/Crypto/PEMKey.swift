import DeviceCore
import COpenSSL
import Foundation

/// Why a PEM key could not be used.
public enum PEMKeyError: Error, Equatable, CustomStringConvertible {
    case unreadableFile(path: String)
    /// Neither a private key nor a public key (`SubjectPublicKeyInfo`) in PEM form.
    case notAKey(OpenSSLError)
    /// A key, but not RSA-3072 or ECDSA on P-256 / P-384 (`description` names what it is).
    case unsupportedKey(String)
    /// Signing needs the private half; the file holds a public key only.
    case publicKeyOnly

    public var description: String {
        switch self {
        case .unreadableFile(let path): "cannot read key file " + path
        case .notAKey(let error): "not a PEM key: " + error.description
        case .unsupportedKey(let what): "unsupported key " + what + " (Secure Boot V2 takes RSA-3072, ECDSA P-256 or P-384)"
        case .publicKeyOnly: "the key file holds only a public key; signing needs the private key"
        }
    }
}

/// A signing key or a public key read from PEM with OpenSSL (`PEM_read_bio_PrivateKey`, then
/// `PEM_read_bio_PUBKEY`), as `espsecure` writes them, classified by Secure Boot V2 scheme.
public final class PEMKey {
    let key: EVPKey
    /// The scheme this key signs or verifies under.
    public let scheme: SignatureScheme
    /// True when the file held the private key.
    public let hasPrivateKey: Bool

    /// Reads a private key, or failing that a public key, from PEM bytes. Encrypted keys are refused.
    public init(pem: [UInt8]) throws(PEMKeyError) {
        ERR_clear_error()
        var loaded = PEMKey.read(pem) { bio in PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in 0 }, nil) }
        hasPrivateKey = loaded != nil
        if loaded == nil {
            ERR_clear_error()
            loaded = PEMKey.read(pem) { bio in PEM_read_bio_PUBKEY(bio, nil, { _, _, _, _ in 0 }, nil) }
        }
        guard let raw = loaded else { throw .notAKey(OpenSSLError("reading PEM key")) }
        key = EVPKey(taking: raw)
        scheme = try PEMKey.classify(key)
    }

    /// Reads the key file at `path`.
    public convenience init(path: String) throws(PEMKeyError) {
        guard let data = FileManager.default.contents(atPath: path) else { throw .unreadableFile(path: path) }
        try self.init(pem: [UInt8](data))
    }

    private static func read(_ pem: [UInt8], _ reader: (OpaquePointer) -> OpaquePointer?) -> OpaquePointer? {
        pem.withUnsafeBytes { buffer -> OpaquePointer? in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            return reader(bio)
        }
    }

    private static func classify(_ key: EVPKey) throws(PEMKeyError) -> SignatureScheme {
        let bits = EVP_PKEY_get_bits(key.raw)
        if EVP_PKEY_is_a(key.raw, "RSA") == 1 {
            guard bits == 3072 else { throw .unsupportedKey("RSA-" + String(bits)) }
            return .rsa3072
        }
        if EVP_PKEY_is_a(key.raw, "EC") == 1 {
            var name = [CChar](repeating: 0, count: 64)
            var length = 0
            _ = EVP_PKEY_get_utf8_string_param(key.raw, OSSL_PKEY_PARAM_GROUP_NAME, &name, name.count, &length)
            let group = String(decoding: name.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            switch group {
            case "prime256v1", "P-256", "secp256r1": return .ecdsaP256
            case "secp384r1", "P-384": return .ecdsaP384
            default: throw .unsupportedKey("EC curve " + (group.isEmpty ? "unknown" : group))
            }
        }
        throw .unsupportedKey(String(cString: EVP_PKEY_get0_type_name(key.raw)))
    }

    /// The big-endian value of a BIGNUM parameter (`n`, `e`, `qx`, `qy`), left-padded to `size`.
    func bigEndianParameter(_ name: String, size: Int) throws(OpenSSLError) -> [UInt8] {
        var bn: OpaquePointer?
        guard EVP_PKEY_get_bn_param(key.raw, name, &bn) == 1, let value = bn else { throw OpenSSLError("EVP_PKEY_get_bn_param(" + name + ")") }
        defer { BN_free(value) }
        var out = [UInt8](repeating: 0, count: size)
        guard BN_bn2binpad(value, &out, Int32(size)) == Int32(size) else { throw OpenSSLError("BN_bn2binpad(" + name + ")") }
        return out
    }
}
