import DeviceCore
import COpenSSL

/// A public key as a Secure Boot V2 block stores it, with the digest ESP-IDF burns into eFuse:
/// SHA-256 of the block's key field (776 bytes for RSA-3072, curve id + X + Y for ECDSA).
public enum SecureBootPublicKey: Equatable, Sendable {
    /// `ets_rsa_pubkey_t`: modulus, exponent, and the Montgomery constants the ROM uses
    /// (`rinv` = R² mod n with R = 2^3072, `mPrime` = −n⁻¹ mod 2^32).
    case rsa3072(modulusBE: [UInt8], exponent: UInt32, rinvBE: [UInt8], mPrime: UInt32)
    /// Affine point, big-endian coordinates.
    case ecdsa(curve: ECDSACurve, x: [UInt8], y: [UInt8])

    /// The scheme this key verifies.
    public var scheme: SignatureScheme {
        switch self {
        case .rsa3072: .rsa3072
        case .ecdsa(let curve, _, _): curve == .p256 ? .ecdsaP256 : .ecdsaP384
        }
    }

    /// The key field exactly as espsecure writes it into a block: every number little-endian.
    public var keyField: [UInt8] {
        switch self {
        case let .rsa3072(modulus, exponent, rinv, mPrime):
            var field = [UInt8](modulus.reversed())
            field.append(contentsOf: littleEndian(exponent))
            field.append(contentsOf: rinv.reversed())
            field.append(contentsOf: littleEndian(mPrime))
            return field
        case let .ecdsa(curve, x, y):
            return [curve.blockCurveID] + x.reversed() + y.reversed()
        }
    }

    /// SHA-256 of `keyField`: what `espsecure digest-sbv2-public-key` prints and the eFuse holds.
    public var digest: [UInt8] { OpenSSLSHA256.digest(keyField) }

    /// The RSA-3072 key field for a modulus and exponent, with `rinv` and `m'` computed by OpenSSL BN.
    public static func rsa3072(modulusBE: [UInt8], exponent: UInt32) throws(OpenSSLError) -> SecureBootPublicKey {
        let (rinv, mPrime) = try montgomeryConstants(modulusBE: modulusBE)
        return .rsa3072(modulusBE: modulusBE, exponent: exponent, rinvBE: rinv, mPrime: mPrime)
    }

    /// The public half of a PEM key in Secure Boot V2 form.
    public init(_ key: PEMKey) throws(OpenSSLError) {
        switch key.scheme {
        case .rsa3072:
            let modulus = try key.bigEndianParameter(OSSL_PKEY_PARAM_RSA_N, size: 384)
            let e = try key.bigEndianParameter(OSSL_PKEY_PARAM_RSA_E, size: 4)
            self = try .rsa3072(modulusBE: modulus, exponent: UInt32(e[0]) << 24 | UInt32(e[1]) << 16 | UInt32(e[2]) << 8 | UInt32(e[3]))
        case .ecdsaP256, .ecdsaP384:
            let curve = key.scheme.curve!
            self = .ecdsa(curve: curve,
                          x: try key.bigEndianParameter(OSSL_PKEY_PARAM_EC_PUB_X, size: curve.fieldSize),
                          y: try key.bigEndianParameter(OSSL_PKEY_PARAM_EC_PUB_Y, size: curve.fieldSize))
        }
    }

    /// R² mod n (R = 2^3072), big-endian in 384 bytes, and −n⁻¹ mod 2^32.
    static func montgomeryConstants(modulusBE: [UInt8]) throws(OpenSSLError) -> ([UInt8], UInt32) {
        guard let ctx = BN_CTX_new() else { throw OpenSSLError("BN_CTX_new") }
        defer { BN_CTX_free(ctx) }
        guard let n = BN_bin2bn(modulusBE, Int32(modulusBE.count), nil),
              let rr = BN_new(), let rinv = BN_new(), let word = BN_new(), let inverse = BN_new()
        else { throw OpenSSLError("BN_new") }
        defer { [n, rr, rinv, word, inverse].forEach { BN_free($0) } }
        guard BN_set_bit(rr, 2 * 3072) == 1, BN_div(nil, rinv, rr, n, ctx) == 1 else { throw OpenSSLError("R^2 mod n") }
        var rinvBE = [UInt8](repeating: 0, count: 384)
        guard BN_bn2binpad(rinv, &rinvBE, 384) == 384 else { throw OpenSSLError("BN_bn2binpad(rinv)") }
        guard BN_set_bit(word, 32) == 1, BN_mod_inverse(inverse, n, word, ctx) != nil else { throw OpenSSLError("n^-1 mod 2^32") }
        let mPrime = UInt32(truncatingIfNeeded: (UInt64(1) << 32) - UInt64(BN_get_word(inverse)))
        return (rinvBE, mPrime)
    }
}

private func littleEndian(_ value: UInt32) -> [UInt8] {
    [UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8),
     UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 24)]
}
