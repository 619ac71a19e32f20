import COpenSSL

/// A Secure Boot V2 signature value, big-endian as OpenSSL produces it (the block stores it reversed).
public enum SecureBootSignature: Equatable, Sendable {
    case rsa(signatureBE: [UInt8])
    case ecdsa(r: [UInt8], s: [UInt8])
}

extension PEMKey {
    /// Signs a prehashed image digest the way `espsecure sign-data --version 2` does: RSA-PSS
    /// (SHA-256, MGF1-SHA-256, salt 32) or ECDSA with the curve's hash. Randomized, like espsecure.
    public func sign(digest: [UInt8]) throws(PEMKeyError) -> SecureBootSignature {
        guard hasPrivateKey else { throw .publicKeyOnly }
        let curve = scheme.curve
        let digestName = curve?.digestName ?? "SHA256"
        let ctx: OpaquePointer
        do { ctx = try key.context(forSigning: true, pss: curve == nil, digestName: digestName) } catch { throw .notAKey(error) }
        defer { EVP_PKEY_CTX_free(ctx) }
        var length = 0
        guard EVP_PKEY_sign(ctx, nil, &length, digest, digest.count) == 1 else { throw .notAKey(OpenSSLError("EVP_PKEY_sign(size)")) }
        var out = [UInt8](repeating: 0, count: length)
        guard EVP_PKEY_sign(ctx, &out, &length, digest, digest.count) == 1 else { throw .notAKey(OpenSSLError("EVP_PKEY_sign")) }
        out.removeSubrange(length...)
        guard let curve else { return .rsa(signatureBE: out) }
        do { return try PEMKey.splitDER(out, size: curve.fieldSize) } catch { throw .notAKey(error) }
    }

    /// (r, s) big-endian, each left-padded to `size`, from a DER `ECDSA-Sig-Value`.
    static func splitDER(_ der: [UInt8], size: Int) throws(OpenSSLError) -> SecureBootSignature {
        let parsed = der.withUnsafeBufferPointer { buffer -> OpaquePointer? in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_ECDSA_SIG(nil, &cursor, buffer.count)
        }
        guard let sig = parsed else { throw OpenSSLError("d2i_ECDSA_SIG") }
        defer { ECDSA_SIG_free(sig) }
        var r = [UInt8](repeating: 0, count: size)
        var s = [UInt8](repeating: 0, count: size)
        guard BN_bn2binpad(ECDSA_SIG_get0_r(sig), &r, Int32(size)) == Int32(size),
              BN_bn2binpad(ECDSA_SIG_get0_s(sig), &s, Int32(size)) == Int32(size)
        else { throw OpenSSLError("BN_bn2binpad(r, s)") }
        return .ecdsa(r: r, s: s)
    }
}
