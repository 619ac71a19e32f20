/// Writing Secure Boot V2 blocks the way `espsecure sign-data --version 2` lays them out, for the
/// host's `sign` command: zero-filled 1216-byte blocks, fields little-endian, CRC at 1196, the
/// sector 0xFF after the blocks, the image padded with 0xFF to 4 KB before the sector.
extension SignatureBlock {
    /// One encoded block. `keyField` and `signatureField` are as stored (see the helpers below).
    public static func encode(scheme: SignatureScheme, imageDigest: [UInt8], keyField: [UInt8], signatureField: [UInt8]) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: size)
        block[0] = magic
        block[1] = scheme == .rsa3072 ? 2 : 3
        block[2] = scheme == .ecdsaP384 ? 1 : 0
        var at = 4
        for field in [imageDigest, keyField, signatureField] {
            block.replaceSubrange(at..<(at + field.count), with: field)
            at += field.count
        }
        precondition(at <= crcOffset, "signature block fields overflow")
        var crc: [UInt8] = []
        crc.appendLE(CRC32.zlib(block[0..<crcOffset]))
        block.replaceSubrange(crcOffset..<(crcOffset + 4), with: crc)
        return block
    }

    /// RSA-3072 key field (776 bytes): n, e, rinv (= 2^6144 mod n) and m' (= -n⁻¹ mod 2³²), little-endian.
    public static func rsaKeyField(modulusBE: [UInt8], exponent: UInt32, rinvBE: [UInt8], mPrime: UInt32) -> [UInt8] {
        var out = littleEndian(modulusBE, width: 384)
        out.appendLE(exponent)
        out += littleEndian(rinvBE, width: 384)
        out.appendLE(mPrime)
        return out
    }

    /// ECDSA key field: curve id (2 = P-256, 3 = P-384), then X and Y little-endian.
    public static func ecdsaKeyField(scheme: SignatureScheme, xBE: [UInt8], yBE: [UInt8]) -> [UInt8] {
        let width = scheme == .ecdsaP384 ? 48 : 32
        return [scheme == .ecdsaP384 ? 3 : 2] + littleEndian(xBE, width: width) + littleEndian(yBE, width: width)
    }

    /// ECDSA signature field: r then s, little-endian.
    public static func ecdsaSignatureField(scheme: SignatureScheme, rBE: [UInt8], sBE: [UInt8]) -> [UInt8] {
        let width = scheme == .ecdsaP384 ? 48 : 32
        return littleEndian(rBE, width: width) + littleEndian(sBE, width: width)
    }

    /// RSA signature field: the signature little-endian (384 bytes).
    public static func rsaSignatureField(signatureBE: [UInt8]) -> [UInt8] { littleEndian(signatureBE, width: 384) }

    /// The 4096-byte sector holding up to three encoded blocks, 0xFF after them.
    public static func sector(blocks: [[UInt8]]) -> [UInt8] {
        precondition(blocks.count >= 1 && blocks.count <= maxBlocks, "one to three blocks")
        var out = blocks.flatMap { $0 }
        out += [UInt8](repeating: 0xFF, count: 4096 - out.count)
        return out
    }

    /// The data a signature covers: `file` padded with 0xFF to a 4 KB boundary (its signature
    /// sector offset). Sign its digest, then append `sector(...)`.
    public static func signedData(_ file: [UInt8]) -> [UInt8] {
        file + [UInt8](repeating: 0xFF, count: (4096 - file.count % 4096) % 4096)
    }
}

/// A big-endian number as `width` little-endian bytes (left-padded with zeros).
func littleEndian(_ bigEndian: [UInt8], width: Int) -> [UInt8] {
    var out = Array(bigEndian.reversed().prefix(width))
    while out.count < width { out.append(0) }
    return out
}
