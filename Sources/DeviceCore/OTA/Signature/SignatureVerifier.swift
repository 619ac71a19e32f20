/// Secure Boot V2 verification as the device does it (`secure_boot_signatures_app.c`): a block
/// counts when its CRC matches, its digest is the signed data's, its key digest is trusted, and
/// the signature verifies. Any one good block is enough.
public struct SignatureVerifier<Crypto: DeviceCrypto> {
    /// Which embedded keys are accepted.
    public enum KeyTrust: Equatable, Sendable {
        /// Only keys whose SHA-256 (of the field as stored) is listed: the eFuse model.
        case digests([[UInt8]])
        /// Any embedded key (espsecure's view; the caller compares keys itself).
        case anyEmbeddedKey
    }

    public var trust: KeyTrust
    /// Schemes the chip's ROM can check (ESP32-C6: RSA-3072 and ECDSA-P256).
    public var supportedSchemes: [SignatureScheme]

    public init(trust: KeyTrust, supportedSchemes: [SignatureScheme] = [.rsa3072, .ecdsaP256]) {
        self.trust = trust
        self.supportedSchemes = supportedSchemes
    }

    /// Verifies the sector against the signed data's SHA-256. Returns the index of the block that
    /// verified; throws the first block's reason when none does.
    public func verify(sector: [UInt8], signedDataDigest: [UInt8]) throws(SignatureError) -> Int {
        let blocks = try SignatureBlock.parseAll(sector: sector)
        var firstError: SignatureError?
        for block in blocks {
            do {
                try verify(block, signedDataDigest: signedDataDigest)
                return block.index
            } catch {
                if firstError == nil { firstError = error }
            }
        }
        throw firstError ?? .missing
    }

    /// Checks one block, in the device's order: CRC, scheme, digest, key trust, signature.
    public func verify(_ block: SignatureBlock, signedDataDigest: [UInt8]) throws(SignatureError) {
        let i = block.index
        if !block.crcValid { throw .crcMismatch(index: i, stored: block.storedCRC, computed: block.computedCRC) }
        if !supportedSchemes.contains(block.scheme) { throw .unsupportedScheme(index: i, block.scheme) }
        if block.imageDigest != signedDataDigest { throw .digestMismatch(index: i) }
        if case let .digests(trusted) = trust, !trusted.contains(block.keyDigest(using: Crypto.Hasher.self)) {
            throw .untrustedKey(index: i)
        }
        let ok: Bool
        switch block.scheme {
        case .rsa3072:
            ok = Crypto.verifyRSAPSS(modulusBE: block.rsaModulusBE ?? [], exponent: block.rsaExponent ?? 0,
                                     digest: signedDataDigest, signatureBE: block.signatureBE)
        case .ecdsaP256:
            let point = block.ecdsaPoint!
            let sig = block.signatureBE
            ok = Crypto.verifyECDSAP256(x: point.x, y: point.y, digest: signedDataDigest,
                                        r: Array(sig[0..<32]), s: Array(sig[32..<64]))
        case .ecdsaP384:
            ok = false
        }
        if !ok { throw .invalidSignature(index: i) }
    }
}
