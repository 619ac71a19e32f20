import COpenSSL
import DeviceCore

/// The host's `DeviceCrypto`: Secure Boot V2 signature checks on OpenSSL 3's EVP interface
/// (RSA-3072-PSS and ECDSA over a prehashed image digest), and EVP SHA-256.
public enum OpenSSLCrypto: DeviceCrypto {
    public typealias Hasher = OpenSSLSHA256

    /// RSA-3072-PSS (SHA-256, MGF1-SHA-256, salt 32) over a 32-byte digest. False for any other size.
    public static func verifyRSAPSS(modulusBE: [UInt8], exponent: UInt32, digest: [UInt8], signatureBE: [UInt8]) -> Bool {
        guard modulusBE.count == 384, signatureBE.count == 384, digest.count == 32, modulusBE[0] & 0x80 != 0 else { return false }
        guard let key = try? EVPKey.rsaPublic(modulusBE: modulusBE, exponent: exponent) else { return false }
        return verify(key: key, pss: true, digestName: "SHA256", digest: digest, signature: signatureBE)
    }

    /// ECDSA P-256 over a 32-byte digest; public point and (r, s) big-endian, 32 bytes each.
    public static func verifyECDSAP256(x: [UInt8], y: [UInt8], digest: [UInt8], r: [UInt8], s: [UInt8]) -> Bool {
        verifyECDSA(curve: .p256, x: x, y: y, digest: digest, r: r, s: s)
    }

    /// ECDSA on `curve` over a digest of the curve's hash size (SHA-256 for P-256, SHA-384 for P-384).
    /// Host only: ESP32-C6 has no P-384, but espsecure writes it and `simfleet inspect` reports it.
    public static func verifyECDSA(curve: ECDSACurve, x: [UInt8], y: [UInt8], digest: [UInt8], r: [UInt8], s: [UInt8]) -> Bool {
        let size = curve.fieldSize
        guard x.count == size, y.count == size, r.count == size, s.count == size, digest.count == size else { return false }
        guard let key = try? EVPKey.ecPublic(group: curve.openSSLGroup, x: x, y: y),
              let der = try? derSignature(r: r, s: s)
        else { return false }
        return verify(key: key, pss: false, digestName: curve.digestName, digest: digest, signature: der)
    }

    static func verify(key: EVPKey, pss: Bool, digestName: String, digest: [UInt8], signature: [UInt8]) -> Bool {
        guard let ctx = try? key.context(forSigning: false, pss: pss, digestName: digestName) else { return false }
        defer { EVP_PKEY_CTX_free(ctx) }
        let verdict = EVP_PKEY_verify(ctx, signature, signature.count, digest, digest.count)
        ERR_clear_error()  // a refused signature leaves reasons in the queue; they are not news
        return verdict == 1
    }

    /// DER `ECDSA-Sig-Value` from big-endian r and s, the form EVP verification takes.
    static func derSignature(r: [UInt8], s: [UInt8]) throws(OpenSSLError) -> [UInt8] {
        guard let sig = ECDSA_SIG_new() else { throw OpenSSLError("ECDSA_SIG_new") }
        defer { ECDSA_SIG_free(sig) }
        guard let rBN = BN_bin2bn(r, Int32(r.count), nil) else { throw OpenSSLError("BN_bin2bn(r)") }
        guard let sBN = BN_bin2bn(s, Int32(s.count), nil) else { BN_free(rBN); throw OpenSSLError("BN_bin2bn(s)") }
        guard ECDSA_SIG_set0(sig, rBN, sBN) == 1 else { BN_free(rBN); BN_free(sBN); throw OpenSSLError("ECDSA_SIG_set0") }
        let length = i2d_ECDSA_SIG(sig, nil)
        guard length > 0 else { throw OpenSSLError("i2d_ECDSA_SIG") }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            return i2d_ECDSA_SIG(sig, &cursor)
        }
        guard written == length else { throw OpenSSLError("i2d_ECDSA_SIG") }
        return der
    }
}

/// The NIST curves a Secure Boot V2 ECDSA block can name, with espsecure's curve ids.
public enum ECDSACurve: Equatable, Sendable {
    case p256, p384

    /// Bytes in a coordinate, in r and s, and in the block's image digest.
    public var fieldSize: Int { self == .p256 ? 32 : 48 }
    /// The curve id byte of the block's key field (`CURVE_ID_P256` = 2, P-384 = 3 in espsecure).
    public var blockCurveID: UInt8 { self == .p256 ? 2 : 3 }
    var openSSLGroup: StaticString { self == .p256 ? "prime256v1" : "secp384r1" }
    var digestName: String { self == .p256 ? "SHA256" : "SHA384" }
}
