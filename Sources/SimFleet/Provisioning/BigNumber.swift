import COpenSSL

/// An OpenSSL BIGNUM for the client side of SRP6a, which needs more arithmetic than the device
/// (subtraction and plain multiplication of exponents). Unsigned, big-endian in and out.
final class BigNumber: @unchecked Sendable {  // immutable once made
    let raw: OpaquePointer

    init(_ bytes: [UInt8]) {
        raw = BN_bin2bn(bytes, Int32(bytes.count), nil)!
    }

    private init(taking raw: OpaquePointer) { self.raw = raw }

    deinit { BN_clear_free(raw) }

    /// Big-endian bytes without leading zeros (`long_to_bytes` in esp_prov; empty for zero).
    var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: Int((BN_num_bits(raw) + 7) / 8))
        _ = BN_bn2bin(raw, &out)
        return out
    }

    /// Big-endian bytes left-padded with zeros to `width`.
    func padded(to width: Int) -> [UInt8] {
        let b = bytes
        return b.count >= width ? b : [UInt8](repeating: 0, count: width - b.count) + b
    }

    var isZero: Bool { BN_is_zero(raw) == 1 }

    private static func op(_ body: (OpaquePointer, OpaquePointer) -> Int32) -> BigNumber {
        let ctx = BN_CTX_new()!
        defer { BN_CTX_free(ctx) }
        let r = BN_new()!
        precondition(body(r, ctx) == 1, "BIGNUM arithmetic failed")
        return BigNumber(taking: r)
    }

    func modExp(_ e: BigNumber, _ m: BigNumber) -> BigNumber { Self.op { r, ctx in BN_mod_exp(r, raw, e.raw, m.raw, ctx) } }
    func modMul(_ b: BigNumber, _ m: BigNumber) -> BigNumber { Self.op { r, ctx in BN_mod_mul(r, raw, b.raw, m.raw, ctx) } }
    func modSub(_ b: BigNumber, _ m: BigNumber) -> BigNumber { Self.op { r, ctx in BN_mod_sub(r, raw, b.raw, m.raw, ctx) } }
    func mod(_ m: BigNumber) -> BigNumber { Self.op { r, ctx in BN_nnmod(r, raw, m.raw, ctx) } }
    func mul(_ b: BigNumber) -> BigNumber { Self.op { r, ctx in BN_mul(r, raw, b.raw, ctx) } }
    func add(_ b: BigNumber) -> BigNumber { Self.op { r, _ in BN_add(r, raw, b.raw) } }
}
