import COpenSSL
import DeviceCore

/// The provisioning half of the host's `DeviceCrypto` (protocomm security 1 and 2) on OpenSSL 3:
/// X25519 and AES through EVP, SHA-512 through `EVP_Digest`, SRP's modular arithmetic through BN.
/// Every function answers nil rather than trapping on input it cannot use.
extension OpenSSLCrypto {
    public static func x25519PublicKey(privateKey: [UInt8]) -> [UInt8]? {
        guard privateKey.count == 32,
              let key = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nil, privateKey, 32) else { return failed() }
        defer { EVP_PKEY_free(key) }
        var out = [UInt8](repeating: 0, count: 32)
        var length = 32
        guard EVP_PKEY_get_raw_public_key(key, &out, &length) == 1, length == 32 else { return failed() }
        return out
    }

    public static func x25519SharedSecret(privateKey: [UInt8], peerPublicKey: [UInt8]) -> [UInt8]? {
        guard privateKey.count == 32, peerPublicKey.count == 32,
              let key = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nil, privateKey, 32) else { return failed() }
        defer { EVP_PKEY_free(key) }
        guard let peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nil, peerPublicKey, 32) else { return failed() }
        defer { EVP_PKEY_free(peer) }
        guard let ctx = EVP_PKEY_CTX_new(key, nil) else { return failed() }
        defer { EVP_PKEY_CTX_free(ctx) }
        var out = [UInt8](repeating: 0, count: 32)
        var length = 32
        // OpenSSL refuses an all-zero result (a small-order peer key), as RFC 7748 allows.
        guard EVP_PKEY_derive_init(ctx) == 1, EVP_PKEY_derive_set_peer(ctx, peer) == 1,
              EVP_PKEY_derive(ctx, &out, &length) == 1, length == 32 else { return failed() }
        return out
    }

    public static func aes256CTR(key: [UInt8], counter: [UInt8], streamOffset: Int, _ input: [UInt8]) -> [UInt8]? {
        guard key.count == 32, counter.count == 16, streamOffset >= 0 else { return nil }
        // Start at the block holding `streamOffset`, then throw away the bytes before it.
        var block = counter
        var carry = UInt64(streamOffset / 16)
        var i = 15
        while carry > 0 && i >= 0 {
            let sum = UInt64(block[i]) + (carry & 0xFF)
            block[i] = UInt8(truncatingIfNeeded: sum)
            carry = (carry >> 8) + (sum >> 8)
            i -= 1
        }
        let skip = streamOffset % 16
        guard let out = cipher(EVP_aes_256_ctr(), encrypt: true, key: key, iv: block,
                               input: [UInt8](repeating: 0, count: skip) + input) else { return nil }
        return Array(out[skip...])
    }

    public static func aes256GCMSeal(key: [UInt8], nonce: [UInt8], plaintext: [UInt8]) -> [UInt8]? {
        guard key.count == 32, nonce.count == 12, let ctx = EVP_CIPHER_CTX_new() else { return nil }
        defer { EVP_CIPHER_CTX_free(ctx) }
        var out = [UInt8](repeating: 0, count: plaintext.count + 16)
        var length: Int32 = 0, final: Int32 = 0
        var tag = [UInt8](repeating: 0, count: 16)
        guard EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nil, key, nonce) == 1,
              EVP_EncryptUpdate(ctx, &out, &length, plaintext, Int32(plaintext.count)) == 1,
              EVP_EncryptFinal_ex(ctx, &out[Int(length)], &final) == 1,
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, &tag) == 1 else { return failed() }
        return Array(out[0..<Int(length + final)]) + tag
    }

    public static func aes256GCMOpen(key: [UInt8], nonce: [UInt8], sealed: [UInt8]) -> [UInt8]? {
        guard key.count == 32, nonce.count == 12, sealed.count >= 16, let ctx = EVP_CIPHER_CTX_new() else { return nil }
        defer { EVP_CIPHER_CTX_free(ctx) }
        let body = Array(sealed[0..<(sealed.count - 16)])
        var tag = Array(sealed[(sealed.count - 16)...])
        var out = [UInt8](repeating: 0, count: body.count + 16)
        var length: Int32 = 0, final: Int32 = 0
        guard EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), nil, key, nonce) == 1,
              EVP_DecryptUpdate(ctx, &out, &length, body, Int32(body.count)) == 1,
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, &tag) == 1,
              EVP_DecryptFinal_ex(ctx, &out[Int(length)], &final) == 1 else { return failed() }
        return Array(out[0..<Int(length + final)])
    }

    public static func sha512(_ message: [UInt8]) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: 64)
        var length: UInt32 = 0
        guard EVP_Digest(message, message.count, &out, &length, EVP_sha512(), nil) == 1, length == 64 else { return failed() }
        return out
    }

    public static func modularExponentiation(base: [UInt8], exponent: [UInt8], modulus: [UInt8]) -> [UInt8]? {
        bignum([base, exponent, modulus]) { r, n, ctx in
            // The exponent is a secret (b, x): constant time where OpenSSL has it (odd moduli, as N is).
            if BN_is_odd(n[2]) == 1 { BN_set_flags(n[1], BN_FLG_CONSTTIME) }
            return BN_mod_exp(r, n[0], n[1], n[2], ctx)
        }
    }

    public static func modularMultiplication(_ a: [UInt8], _ b: [UInt8], modulus: [UInt8]) -> [UInt8]? {
        bignum([a, b, modulus]) { r, n, ctx in BN_mod_mul(r, n[0], n[1], n[2], ctx) }
    }

    public static func modularAddition(_ a: [UInt8], _ b: [UInt8], modulus: [UInt8]) -> [UInt8]? {
        bignum([a, b, modulus]) { r, n, ctx in BN_mod_add(r, n[0], n[1], n[2], ctx) }
    }

    /// Runs `operation` on BIGNUMs made from `operands` (the last one the modulus, which must not
    /// be zero) and returns the result big-endian without leading zeros.
    private static func bignum(_ operands: [[UInt8]],
                               _ operation: (OpaquePointer, [OpaquePointer], OpaquePointer) -> Int32) -> [UInt8]? {
        guard let ctx = BN_CTX_new() else { return failed() }
        defer { BN_CTX_free(ctx) }
        var numbers: [OpaquePointer] = []
        defer { for n in numbers { BN_clear_free(n) } }
        for bytes in operands {
            guard let n = BN_bin2bn(bytes, Int32(bytes.count), nil) else { return failed() }
            numbers.append(n)
        }
        guard BN_is_zero(numbers[numbers.count - 1]) == 0, let result = BN_new() else { return nil }
        defer { BN_clear_free(result) }
        guard operation(result, numbers, ctx) == 1 else { return failed() }
        var out = [UInt8](repeating: 0, count: Int((BN_num_bits(result) + 7) / 8))
        _ = BN_bn2bin(result, &out)
        return out
    }

    private static func cipher(_ kind: OpaquePointer?, encrypt: Bool, key: [UInt8], iv: [UInt8], input: [UInt8]) -> [UInt8]? {
        guard let ctx = EVP_CIPHER_CTX_new() else { return nil }
        defer { EVP_CIPHER_CTX_free(ctx) }
        var out = [UInt8](repeating: 0, count: input.count + 16)
        var length: Int32 = 0, final: Int32 = 0
        guard EVP_CipherInit_ex(ctx, kind, nil, key, iv, encrypt ? 1 : 0) == 1,
              EVP_CipherUpdate(ctx, &out, &length, input, Int32(input.count)) == 1,
              EVP_CipherFinal_ex(ctx, &out[Int(length)], &final) == 1 else { return failed() }
        return Array(out[0..<Int(length + final)])
    }

    /// Clears OpenSSL's error queue (a refused input is not news) and answers nil.
    private static func failed() -> [UInt8]? {
        ERR_clear_error()
        return nil
    }
}
