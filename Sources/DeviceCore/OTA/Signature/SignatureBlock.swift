/// One Secure Boot V2 signature block (`ets_secure_boot_sig_block_t`, 1216 bytes) as espsecure
/// writes it: magic 0xE7, version (2 RSA-3072-PSS, 3 ECDSA), image digest, public key and signature
/// fields little-endian, CRC-32 of bytes 0..1195 at 1196.
public struct SignatureBlock: Equatable, Sendable {
    public static let size = 1216
    public static let magic: UInt8 = 0xE7
    public static let crcOffset = 1196
    /// Blocks that fit in one 4 KB signature sector.
    public static let maxBlocks = 3

    public var index: Int
    public var scheme: SignatureScheme
    /// Digest of the signed data as recorded in the block (32 bytes, 48 for ECDSA-P384).
    public var imageDigest: [UInt8]
    /// The key field exactly as stored: what the eFuse key digest covers.
    public var keyField: [UInt8]
    /// The signature field as stored (little-endian).
    public var signatureField: [UInt8]
    public var storedCRC: UInt32
    public var computedCRC: UInt32

    public var crcValid: Bool { storedCRC == computedCRC }

    /// Parses the block at `index` of a signature sector. Throws for a block that is absent (no
    /// magic) or of an unknown scheme; a CRC mismatch is reported in the value, not thrown.
    public static func parse(sector: [UInt8], index: Int) throws(SignatureError) -> SignatureBlock {
        let b = index * size
        guard sector.count >= b + size else { throw .badSectorSize(sector.count) }
        if sector[b] != magic { throw .badMagic(index: index, sector[b]) }
        let version = sector[b + 1], hashKind = sector[b + 2]
        let scheme: SignatureScheme
        let digestLength: Int, keyLength: Int, signatureLength: Int
        switch (version, hashKind) {
        case (2, _):
            scheme = .rsa3072; digestLength = 32; keyLength = 776; signatureLength = 384
        case (3, 0):
            scheme = .ecdsaP256; digestLength = 32; keyLength = 65; signatureLength = 64
        case (3, 1):
            scheme = .ecdsaP384; digestLength = 48; keyLength = 97; signatureLength = 96
        default:
            throw .unknownScheme(index: index, version: version, detail: hashKind)
        }
        let keyStart = b + 4 + digestLength
        if scheme != .rsa3072 {
            let curve = sector[keyStart]
            if curve != (scheme == .ecdsaP256 ? 2 : 3) { throw .unknownScheme(index: index, version: version, detail: curve) }
        }
        let sigStart = keyStart + keyLength
        return SignatureBlock(
            index: index, scheme: scheme, imageDigest: Array(sector[(b + 4)..<keyStart]),
            keyField: Array(sector[keyStart..<sigStart]),
            signatureField: Array(sector[sigStart..<(sigStart + signatureLength)]),
            storedCRC: sector.le32(b + crcOffset), computedCRC: CRC32.zlib(sector[b..<(b + crcOffset)]))
    }

    /// Every present block of a 4096-byte sector, in order, until the first absent one. An erased
    /// first block (0xFF) means the image carries no signature.
    public static func parseAll(sector: [UInt8]) throws(SignatureError) -> [SignatureBlock] {
        guard sector.count == 4096 else { throw .badSectorSize(sector.count) }
        var blocks: [SignatureBlock] = []
        for i in 0..<maxBlocks {
            do {
                blocks.append(try parse(sector: sector, index: i))
            } catch {
                if case let .badMagic(_, byte) = error {
                    if i > 0 { break }
                    if byte == 0xFF { throw .missing }
                }
                throw error
            }
        }
        return blocks
    }

    /// RSA modulus n, big-endian (the block stores it little-endian).
    public var rsaModulusBE: [UInt8]? { scheme == .rsa3072 ? keyField[0..<384].reversed() : nil }
    /// RSA public exponent e.
    public var rsaExponent: UInt32? { scheme == .rsa3072 ? keyField.le32(384) : nil }
    /// ECDSA public point (x, y), big-endian.
    public var ecdsaPoint: (x: [UInt8], y: [UInt8])? {
        guard scheme != .rsa3072 else { return nil }
        let n = (keyField.count - 1) / 2
        return (Array(keyField[1...n].reversed()), Array(keyField[(1 + n)...].reversed()))
    }
    /// Signature big-endian: RSA s, or ECDSA r ‖ s each big-endian.
    public var signatureBE: [UInt8] {
        if scheme == .rsa3072 { return signatureField.reversed() }
        let n = signatureField.count / 2
        return Array(signatureField[0..<n].reversed()) + Array(signatureField[n...].reversed())
    }

    /// SHA-256 of the key field: what ESP-IDF burns into eFuse and compares on the device.
    public func keyDigest<Hasher: SHA256Hashing>(using: Hasher.Type) -> [UInt8] {
        var h = Hasher()
        h.update(keyField[...])
        return h.finalize()
    }
}
