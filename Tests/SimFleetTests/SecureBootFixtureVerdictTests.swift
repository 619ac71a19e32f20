import DeviceCore
import XCTest
@testable import SimFleet

/// DeviceCore's `SignatureVerifier` running on `OpenSSLCrypto` against every signed and tampered
/// file espsecure judged: the device's view, which also refuses a block whose embedded key is not
/// the trusted one (the `pubkey_field_flip` file espsecure accepts).
final class SecureBootFixtureVerdictTests: XCTestCase {
    func testSignedFilesVerifyWithTheirOwnKeyAndNotWithTheOther() throws {
        try ESPFixtureFiles.require()
        for (scheme, expectedBlock) in [("rsa3072", 0), ("ecdsa256", 0)] {
            let (sector, digest) = try signedParts("signing/signed_" + scheme + ".bin")
            XCTAssertEqual(try verifier(trusting: scheme + "_a").verify(sector: sector, signedDataDigest: digest), expectedBlock)
            XCTAssertThrowsError(try verifier(trusting: scheme + "_b").verify(sector: sector, signedDataDigest: digest)) {
                XCTAssertEqual($0 as? SignatureError, .untrustedKey(index: 0))
            }
        }
    }

    func testEveryTamperedFileIsRefusedForItsOwnReason() throws {
        try ESPFixtureFiles.require()
        let expected: [String: SignatureError] = [
            "body_flip": .digestMismatch(index: 0),
            "body_flip_digest_fixed": .invalidSignature(index: 0),
            "sigblock_flip_crc_fixed": .invalidSignature(index: 0),
            "pubkey_field_flip_crc_fixed": .untrustedKey(index: 0),
        ]
        for scheme in ["rsa3072", "ecdsa256"] {
            for (edit, error) in expected {
                let (sector, digest) = try signedParts("signing/tampered_" + scheme + "_" + edit + ".bin")
                XCTAssertThrowsError(try verifier(trusting: scheme + "_a").verify(sector: sector, signedDataDigest: digest), scheme + " " + edit) {
                    XCTAssertEqual($0 as? SignatureError, error, scheme + " " + edit)
                }
            }
            let (sector, digest) = try signedParts("signing/tampered_" + scheme + "_sigblock_flip.bin")
            XCTAssertThrowsError(try verifier(trusting: scheme + "_a").verify(sector: sector, signedDataDigest: digest)) {
                guard case .crcMismatch(index: 0, _, _) = $0 as? SignatureError else { return XCTFail(String(describing: $0)) }
            }
        }
    }

    func testPubkeyFlipIsAcceptedOnlyByEspsecuresViewOfTheKey() throws {
        try ESPFixtureFiles.require()
        // espsecure ignores the embedded key; the signature itself is still good.
        for scheme in ["rsa3072", "ecdsa256"] {
            let (sector, digest) = try signedParts("signing/tampered_" + scheme + "_pubkey_field_flip_crc_fixed.bin")
            let block = try SignatureBlock.parse(sector: sector, index: 0)
            let pem = try SecureBootPublicKey(PEMKey(path: ESPFixtureFiles.path("signing/keys/" + scheme + "_a.pub.pem")))
            XCTAssertNotEqual(block.keyField, pem.keyField)
            switch pem {
            case let .rsa3072(n, e, _, _):
                XCTAssertTrue(OpenSSLCrypto.verifyRSAPSS(modulusBE: n, exponent: e, digest: digest, signatureBE: block.signatureBE))
            case let .ecdsa(_, x, y):
                let sig = block.signatureBE
                XCTAssertTrue(OpenSSLCrypto.verifyECDSAP256(x: x, y: y, digest: digest, r: Array(sig[0..<32]), s: Array(sig[32...])))
            }
        }
    }

    func testTruncatedSignedFileHasNoSignatureSector() throws {
        try ESPFixtureFiles.require()
        for scheme in ["rsa3072", "ecdsa256"] {
            let bytes = try ESPFixtureFiles.bytes("signing/tampered_" + scheme + "_truncated_100.bin")
            let image = try AppImage.parse(bytes, hasher: OpenSSLSHA256.self)
            XCTAssertNil(image.signatureSector, "espsecure: data size should be a multiple of 4096")
        }
    }

    func testOurSignatureVerifiesOnTheDeviceVerifier() throws {
        try ESPFixtureFiles.require()
        let image = try ESPFixtureFiles.bytes("real/firmware_2025.03.25.124759.bin")
        for scheme in ["rsa3072", "ecdsa256"] {
            let key = try PEMKey(path: ESPFixtureFiles.path("signing/keys/" + scheme + "_b.pem"))
            let signed = try SignatureSectorWriter.sign(image: image, key: key)
            let parsed = try AppImage.parse(signed, hasher: OpenSSLSHA256.self)
            let sector = try XCTUnwrap(parsed.signatureSector)
            let digest = try XCTUnwrap(parsed.signedDataDigest)
            XCTAssertEqual(try verifier(trusting: scheme + "_b").verify(sector: sector, signedDataDigest: digest), 0)
            XCTAssertThrowsError(try verifier(trusting: scheme + "_a").verify(sector: sector, signedDataDigest: digest))
        }
    }

    private func verifier(trusting keyName: String) throws -> SignatureVerifier<OpenSSLCrypto> {
        let digest = try ESPFixtureFiles.bytes("signing/keys/" + keyName + ".pub.sbv2_digest.bin")
        return SignatureVerifier<OpenSSLCrypto>(trust: .digests([digest]))
    }

    /// The signature sector and the SHA-256 of everything before it.
    private func signedParts(_ path: String) throws -> ([UInt8], [UInt8]) {
        let bytes = try ESPFixtureFiles.bytes(path)
        let split = bytes.count - 4096
        return (Array(bytes[split...]), OpenSSLSHA256.digest(bytes[..<split]))
    }
}
