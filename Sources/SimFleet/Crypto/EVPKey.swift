import COpenSSL

/// Owns one OpenSSL `EVP_PKEY` (public or key pair) and builds public keys from raw numbers,
/// as a Secure Boot V2 block carries them. Internal: callers see `PEMKey` and `OpenSSLCrypto`.
final class EVPKey {
    let raw: OpaquePointer

    init(taking raw: OpaquePointer) { self.raw = raw }

    deinit { EVP_PKEY_free(raw) }

    /// An RSA public key from the big-endian modulus and the exponent.
    static func rsaPublic(modulusBE: [UInt8], exponent: UInt32) throws(OpenSSLError) -> EVPKey {
        guard let n = BN_bin2bn(modulusBE, Int32(modulusBE.count), nil) else { throw OpenSSLError("BN_bin2bn(n)") }
        defer { BN_free(n) }
        guard let e = BN_new() else { throw OpenSSLError("BN_new") }
        defer { BN_free(e) }
        guard BN_set_word(e, UInt(exponent)) == 1 else { throw OpenSSLError("BN_set_word(e)") }
        return try fromData(type: "RSA") { builder in
            guard OSSL_PARAM_BLD_push_BN(builder, cString("n"), n) == 1,
                  OSSL_PARAM_BLD_push_BN(builder, cString("e"), e) == 1
            else { return nil }
            return OSSL_PARAM_BLD_to_param(builder)
        }
    }

    /// An EC public key on the named OpenSSL group from big-endian affine coordinates.
    static func ecPublic(group: StaticString, x: [UInt8], y: [UInt8]) throws(OpenSSLError) -> EVPKey {
        let point: [UInt8] = [0x04] + x + y  // SEC1 uncompressed point
        return try fromData(type: "EC") { builder in
            point.withUnsafeBytes { bytes in
                guard OSSL_PARAM_BLD_push_utf8_string(builder, cString("group"), cString(group), 0) == 1,
                      OSSL_PARAM_BLD_push_octet_string(builder, cString("pub"), bytes.baseAddress, bytes.count) == 1
                else { return nil }
                return OSSL_PARAM_BLD_to_param(builder)  // copies the point while it is still in scope
            }
        }
    }

    /// `build` pushes parameters and calls `OSSL_PARAM_BLD_to_param` while every pushed buffer is
    /// alive: the builder keeps pointers, not copies, until then.
    private static func fromData(type: String, build: (OpaquePointer) -> UnsafeMutablePointer<OSSL_PARAM>?) throws(OpenSSLError) -> EVPKey {
        guard let builder = OSSL_PARAM_BLD_new() else { throw OpenSSLError("OSSL_PARAM_BLD_new") }
        defer { OSSL_PARAM_BLD_free(builder) }
        guard let params = build(builder) else { throw OpenSSLError("building " + type + " key parameters") }
        defer { OSSL_PARAM_free(params) }
        guard let ctx = EVP_PKEY_CTX_new_from_name(nil, type, nil) else { throw OpenSSLError("EVP_PKEY_CTX_new_from_name") }
        defer { EVP_PKEY_CTX_free(ctx) }
        var pkey: OpaquePointer?
        guard EVP_PKEY_fromdata_init(ctx) == 1,
              EVP_PKEY_fromdata(ctx, &pkey, simfleet_evp_pkey_public_key_selection(), params) == 1,
              let key = pkey
        else { throw OpenSSLError("EVP_PKEY_fromdata(" + type + ")") }
        return EVPKey(taking: key)
    }

    /// A verify or sign context; for RSA it is set to PSS with SHA-256, MGF1-SHA-256 and a 32-byte
    /// salt, the padding ESP-IDF's Secure Boot V2 uses. `digestName` names the prehashed digest.
    func context(forSigning: Bool, pss: Bool, digestName: String) throws(OpenSSLError) -> OpaquePointer {
        guard let ctx = EVP_PKEY_CTX_new_from_pkey(nil, raw, nil) else { throw OpenSSLError("EVP_PKEY_CTX_new_from_pkey") }
        let md = EVP_get_digestbyname(digestName)
        let ok = (forSigning ? EVP_PKEY_sign_init(ctx) : EVP_PKEY_verify_init(ctx)) == 1
            && EVP_PKEY_CTX_set_signature_md(ctx, md) == 1
            && (!pss || (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) == 1
                && EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) == 1
                && EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, 32) == 1))
        guard ok else {
            EVP_PKEY_CTX_free(ctx)
            throw OpenSSLError(forSigning ? "EVP_PKEY_sign_init" : "EVP_PKEY_verify_init")
        }
        return ctx
    }
}

/// A C string with static lifetime: OpenSSL's parameter builder keeps key names and string values
/// by pointer, so bridged temporaries from Swift `String` would dangle.
func cString(_ text: StaticString) -> UnsafePointer<CChar> {
    UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
}
