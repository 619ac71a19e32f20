import XCTest
@testable import DeviceCore

/// A test double for the wiring only: it accepts a signature when it equals the digest the verifier
/// passed in, reversed. Real RSA/ECDSA verification is tested with OpenSSL in SimFleetTests.
enum EchoCrypto: DeviceCrypto {
    typealias Hasher = SoftwareSHA256
    nonisolated(unsafe) static var calls: [(scheme: String, digest: [UInt8], keyBytes: Int, signatureBytes: Int)] = []
    static func verifyRSAPSS(modulusBE: [UInt8], exponent: UInt32, digest: [UInt8], signatureBE: [UInt8]) -> Bool {
        calls.append(("rsa", digest, modulusBE.count, signatureBE.count))
        return exponent == 65537
    }
    static func verifyECDSAP256(x: [UInt8], y: [UInt8], digest: [UInt8], r: [UInt8], s: [UInt8]) -> Bool {
        calls.append(("ecdsa", digest, x.count + y.count, r.count + s.count))
        return true
    }
}

/// Secure Boot V2 blocks in `signing/` against `signed.expected.json`: parsing, CRC, digest and the
/// device's key-digest check (eFuse model).
final class SignatureBlockTests: XCTestCase {
    func testSignedFilesParseToEspsecureFields() throws {
        try Fixtures.require()
        let expected = try Fixtures.json("signing/signed.expected.json")
        for signed in try XCTUnwrap(expected.array("signed")) {
            let file = try XCTUnwrap(signed.string("file"))
            let image = try AppImage.parse(try Fixtures.bytes("signing/" + file))
            XCTAssertTrue(image.isValid, file)
            XCTAssertEqual(image.imageLength, signed.int("source_image_size"), file)
            let sector = try XCTUnwrap(image.signatureSector, file)
            let blocks = try SignatureBlock.parseAll(sector: sector)
            XCTAssertEqual(blocks.count, 1, file)
            let block = blocks[0]
            let b0 = try XCTUnwrap(signed.dict("block0"))
            XCTAssertEqual(hexString(block.imageDigest), b0.string("image_digest"), file)
            XCTAssertEqual("0x" + hexString(be32(block.storedCRC)), b0.string("crc32_stored"), file)
            XCTAssertEqual("0x" + hexString(be32(block.computedCRC)), b0.string("crc32_of_first_1196_bytes"), file)
            let fields = try XCTUnwrap(b0.dict("field_offsets_in_block"))
            XCTAssertEqual(block.keyField.count, fields.dict("pubkey")?.int("length"), file)
            XCTAssertEqual(block.signatureField.count, fields.dict("signature")?.int("length"), file)
            XCTAssertEqual(hexString(block.keyDigest(using: SoftwareSHA256.self)), signed.string("signature_info_v2_key_digest"), file)
            if block.scheme != .ecdsaP384 {  // SHA-384 digests are not computed on the device
                XCTAssertEqual(image.signedDataDigest.map(hexString), signed.string("signed_data_digest"), file)
            }
            XCTAssertEqual(block.scheme.name, signed.string("scheme"), file)
        }
    }

    func testKeyDigestFilesMatchTheEmbeddedKeys() throws {
        try Fixtures.require()
        for scheme in ["rsa3072", "ecdsa256", "ecdsa384"] {
            let image = try AppImage.parse(try Fixtures.bytes("signing/signed_\(scheme).bin"))
            let block = try SignatureBlock.parse(sector: try XCTUnwrap(image.signatureSector), index: 0)
            XCTAssertEqual(block.keyDigest(using: SoftwareSHA256.self),
                           try Fixtures.bytes("keys/\(scheme)_a.pub.sbv2_digest.bin".withSigningPrefix))
        }
    }

    /// Every tampered file and every "other key" case is refused by a device trusting only the
    /// signer's digest, for the reason the edit implies; the untouched file passes the checks before
    /// the crypto call, and the crypto call gets the right digest and big-endian key sizes.
    func testTamperedAndForeignKeyFilesAreRefusedForTheRightReason() throws {
        try Fixtures.require()
        let expected = try Fixtures.json("signing/signed.expected.json")
        var cases: [(file: String, key: String, verdict: String, op: String)] = []
        for t in try XCTUnwrap(expected.array("tampered")) {
            let verify = try XCTUnwrap(t.dict("verify"))
            cases.append((t.string("file")!, verify.string("public_key")!, verify.string("verdict")!, t.dict("edit")!.string("op")!))
        }
        XCTAssertEqual(cases.count, 21)
        for c in cases {
            let digest = try Fixtures.bytes("signing/keys/\(c.key).pub.sbv2_digest.bin")
            let verifier = SignatureVerifier<EchoCrypto>(trust: .digests([digest]))
            let outcome = try deviceVerdict(file: c.file, verifier: verifier)
            let name = c.file + " with " + c.key
            if c.file.contains("ecdsa384") {
                // ESP32-C6 has no P-384: refused before any crypto, unless the CRC fails first.
                if c.file.contains("truncated") { XCTAssertEqual(outcome, .badSectorSize(3996), name) }
                else if c.file.hasSuffix("sigblock_flip.bin") { XCTAssertEqual(outcome?.crcFailed, true, name) }
                else { XCTAssertEqual(outcome, .unsupportedScheme(index: 0, .ecdsaP384), name) }
                continue
            }
            switch c.file {
            case let f where f.contains("truncated"): XCTAssertEqual(outcome, .badSectorSize(3996), name)
            case let f where f.hasSuffix("_body_flip.bin"): XCTAssertEqual(outcome, .digestMismatch(index: 0), name)
            case let f where f.hasSuffix("sigblock_flip.bin"): XCTAssertEqual(outcome?.crcFailed, true, name)
            // The edit changed the key: espsecure accepts (it ignores the embedded key), a device does not.
            case let f where f.contains("pubkey_field_flip"): XCTAssertEqual(outcome, .untrustedKey(index: 0), name)
            case let f where f.hasPrefix("signed_"):
                XCTAssertEqual(c.verdict, "invalid")
                XCTAssertEqual(outcome, .untrustedKey(index: 0), name)
            // digest_fixed and crc_fixed pass every structural check: only the signature math can
            // refuse them, which the OpenSSL tests cover. Here the double sees the call.
            default: XCTAssertEqual(outcome, nil, name)
            }
        }
    }

    func testGenuineBlocksReachTheCryptoWithBigEndianFields() throws {
        try Fixtures.require()
        EchoCrypto.calls = []
        for scheme in ["rsa3072", "ecdsa256"] {
            let digest = try Fixtures.bytes("signing/keys/\(scheme)_a.pub.sbv2_digest.bin")
            let verifier = SignatureVerifier<EchoCrypto>(trust: .digests([digest]))
            XCTAssertNil(try deviceVerdict(file: "signed_\(scheme).bin", verifier: verifier))
        }
        XCTAssertEqual(EchoCrypto.calls.map(\.scheme), ["rsa", "ecdsa"])
        XCTAssertEqual(EchoCrypto.calls.map(\.keyBytes), [384, 64])
        XCTAssertEqual(EchoCrypto.calls.map(\.signatureBytes), [384, 64])
        XCTAssertEqual(hexString(EchoCrypto.calls[0].digest), "6afe2994f77774011062151c63833de652d70e957d2eacf75ff0e0d537e8a738")
        let block = try SignatureBlock.parse(sector: try XCTUnwrap(AppImage.parse(try Fixtures.bytes("signing/signed_rsa3072.bin")).signatureSector), index: 0)
        XCTAssertEqual(block.rsaExponent, 65537)
        XCTAssertEqual(block.rsaModulusBE?.first.map { $0 & 0x80 }, 0x80, "3072-bit modulus has its top bit set")
    }

    func testSoftwareCryptoRefusesEvenAGenuineSignature() throws {
        try Fixtures.require()
        let digest = try Fixtures.bytes("signing/keys/rsa3072_a.pub.sbv2_digest.bin")
        let verifier = SignatureVerifier<SoftwareCrypto>(trust: .digests([digest]))
        XCTAssertEqual(try deviceVerdict(file: "signed_rsa3072.bin", verifier: verifier), .invalidSignature(index: 0))
    }

    func testSectorWithoutBlocksIsRefused() {
        let verifier = SignatureVerifier<EchoCrypto>(trust: .anyEmbeddedKey)
        var garbage = [UInt8](repeating: 0xFF, count: 4096)
        garbage[0] = 0x12
        XCTAssertThrowsError(try verifier.verify(sector: garbage, signedDataDigest: [])) {
            XCTAssertEqual($0 as? SignatureError, .badMagic(index: 0, 0x12))
        }
        XCTAssertThrowsError(try verifier.verify(sector: [UInt8](repeating: 0xFF, count: 4096), signedDataDigest: [])) {
            XCTAssertEqual($0 as? SignatureError, .missing)
        }
    }

    /// What a device decides: nil when every check up to the crypto passes.
    private func deviceVerdict(file: String, verifier: SignatureVerifier<EchoCrypto>) throws -> SignatureError? {
        try deviceVerdict(file: file) { (s, d) throws(SignatureError) in try verifier.verify(sector: s, signedDataDigest: d) }
    }

    private func deviceVerdict(file: String, verifier: SignatureVerifier<SoftwareCrypto>) throws -> SignatureError? {
        try deviceVerdict(file: file) { (s, d) throws(SignatureError) in try verifier.verify(sector: s, signedDataDigest: d) }
    }

    private func deviceVerdict(file: String, _ verify: ([UInt8], [UInt8]) throws(SignatureError) -> Int) throws -> SignatureError? {
        var v = ImageValidator<SoftwareSHA256>(policy: .init(chip: .esp32c6, slotSize: 0x30_0000, strict: false, hashSignedData: true))
        let bytes = try Fixtures.bytes("signing/" + file)
        try v.consume(bytes[...])
        try v.finish()
        guard v.hasCompleteSignatureSector else { return .badSectorSize(v.signatureSector.count) }
        let digest = try XCTUnwrap(v.signedDataDigest)
        do { _ = try verify(v.signatureSector, digest); return nil } catch { return error }
    }
}

extension SignatureError {
    var crcFailed: Bool { if case .crcMismatch = self { return true } else { return false } }
}

private extension String {
    var withSigningPrefix: String { "signing/" + self }
}

final class SignatureBlockEncodingTests: XCTestCase {
    /// Re-encoding espsecure's own blocks from their decoded fields gives the signed files back.
    func testEncodingReproducesEspsecureSignedFilesByteForByte() throws {
        try Fixtures.require()
        for scheme in ["rsa3072", "ecdsa256", "ecdsa384"] {
            let file = try Fixtures.bytes("signing/signed_\(scheme).bin")
            let image = try AppImage.parse(file)
            let block = try SignatureBlock.parse(sector: try XCTUnwrap(image.signatureSector), index: 0)
            let keyField: [UInt8]
            let signatureField: [UInt8]
            if block.scheme == .rsa3072 {
                let k = block.keyField
                keyField = SignatureBlock.rsaKeyField(modulusBE: try XCTUnwrap(block.rsaModulusBE), exponent: try XCTUnwrap(block.rsaExponent),
                                                      rinvBE: k[388..<772].reversed(), mPrime: k.le32(772))
                signatureField = SignatureBlock.rsaSignatureField(signatureBE: block.signatureBE)
            } else {
                let p = try XCTUnwrap(block.ecdsaPoint)
                keyField = SignatureBlock.ecdsaKeyField(scheme: block.scheme, xBE: p.x, yBE: p.y)
                let sig = block.signatureBE
                signatureField = SignatureBlock.ecdsaSignatureField(scheme: block.scheme, rBE: Array(sig[0..<(sig.count / 2)]),
                                                                    sBE: Array(sig[(sig.count / 2)...]))
            }
            XCTAssertEqual(keyField, block.keyField, scheme)
            let encoded = SignatureBlock.encode(scheme: block.scheme, imageDigest: block.imageDigest, keyField: keyField,
                                                signatureField: signatureField)
            let original = Array(file[0..<image.imageLength])
            let rebuilt = SignatureBlock.signedData(original) + SignatureBlock.sector(blocks: [encoded])
            XCTAssertEqual(rebuilt, file, scheme)
            XCTAssertEqual(image.signatureSectorOffset, 0x106000)
        }
    }
}
