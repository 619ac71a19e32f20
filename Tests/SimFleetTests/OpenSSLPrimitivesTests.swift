import DeviceCore
import XCTest
@testable import SimFleet

/// The OpenSSL primitives behind `OpenSSLCrypto`, checked against known vectors, against
/// espsecure's signatures in the fixtures, and against signatures OpenSSL itself makes.
final class OpenSSLPrimitivesTests: XCTestCase {
    func testSHA256MatchesTheFIPSVectorsAndTheFixtureImageDigest() throws {
        try ESPFixtureFiles.require()
        XCTAssertEqual(hexString(OpenSSLSHA256.digest(Array("abc".utf8))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(hexString(OpenSSLSHA256.digest([UInt8]())), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let image = try ESPFixtureFiles.bytes("real/firmware_2025.03.25.124759.bin")
        var hasher = OpenSSLSHA256()
        var offset = 0
        while offset < image.count {  // odd chunk sizes, as a download delivers them
            let end = min(offset + 1459, image.count)
            hasher.update(image[offset..<end])
            offset = end
        }
        XCTAssertEqual(hexString(hasher.finalize()), "f89344d2b7021d30001c4fd90f3a50fb2d6518cef4e7d444ef2ee76717e4bf32")
    }

    func testCopiedHasherContinuesIndependently() {
        var a = OpenSSLSHA256()
        a.update(ArraySlice(Array("ab".utf8)))
        var b = a
        a.update(ArraySlice(Array("c".utf8)))
        b.update(ArraySlice(Array("x".utf8)))
        XCTAssertEqual(a.finalize(), OpenSSLSHA256.digest(Array("abc".utf8)))
        XCTAssertEqual(b.finalize(), OpenSSLSHA256.digest(Array("abx".utf8)))
    }

    func testEspsecureSignaturesVerifyWithTheirKeyAndNotWithTheOther() throws {
        try ESPFixtureFiles.require()
        for scheme in ["rsa3072", "ecdsa256"] {
            let file = try ESPFixtureFiles.bytes("signing/signed_" + scheme + ".bin")
            let block = Array(file[1_073_152..<(1_073_152 + 1216)])
            let digest = Array(block[4..<36])
            XCTAssertEqual(digest, OpenSSLSHA256.digest(file[..<1_073_152]), scheme)
            for (suffix, expected) in [("a", true), ("b", false)] {
                let key = try SecureBootPublicKey(PEMKey(path: ESPFixtureFiles.path("signing/keys/" + scheme + "_" + suffix + ".pub.pem")))
                XCTAssertEqual(verify(block: block, digest: digest, with: key), expected, scheme + " key " + suffix)
            }
        }
    }

    func testFlippedDigestOrSignatureBitIsRefused() throws {
        try ESPFixtureFiles.require()
        for scheme in ["rsa3072", "ecdsa256"] {
            let file = try ESPFixtureFiles.bytes("signing/signed_" + scheme + ".bin")
            let block = Array(file[1_073_152..<(1_073_152 + 1216)])
            let key = try SecureBootPublicKey(PEMKey(path: ESPFixtureFiles.path("signing/keys/" + scheme + "_a.pub.pem")))
            var digest = Array(block[4..<36])
            digest[7] ^= 0x01
            XCTAssertFalse(verify(block: block, digest: digest, with: key), scheme)
            var tampered = block
            tampered[block.count - 1216 + 36 + key.keyField.count + 5] ^= 0x01
            XCTAssertFalse(verify(block: tampered, digest: Array(block[4..<36]), with: key), scheme)
        }
    }

    func testOpenSSLSignaturesRoundTripThroughTheVerifier() throws {
        try ESPFixtureFiles.require()
        let digest = OpenSSLSHA256.digest(Array("firmware".utf8))
        for scheme in ["rsa3072", "ecdsa256"] {
            let pem = try PEMKey(path: ESPFixtureFiles.path("signing/keys/" + scheme + "_a.pem"))
            let key = try SecureBootPublicKey(pem)
            let signature = try pem.sign(digest: digest)
            switch (key, signature) {
            case let (.rsa3072(n, e, _, _), .rsa(sig)):
                XCTAssertTrue(OpenSSLCrypto.verifyRSAPSS(modulusBE: n, exponent: e, digest: digest, signatureBE: sig))
                XCTAssertFalse(OpenSSLCrypto.verifyRSAPSS(modulusBE: n, exponent: e, digest: OpenSSLSHA256.digest([1]), signatureBE: sig))
                XCTAssertFalse(OpenSSLCrypto.verifyRSAPSS(modulusBE: n, exponent: 3, digest: digest, signatureBE: sig))
            case let (.ecdsa(.p256, x, y), .ecdsa(r, s)):
                XCTAssertTrue(OpenSSLCrypto.verifyECDSAP256(x: x, y: y, digest: digest, r: r, s: s))
                XCTAssertFalse(OpenSSLCrypto.verifyECDSAP256(x: x, y: y, digest: digest, r: s, s: r))
            default:
                XCTFail("unexpected key/signature pair for " + scheme)
            }
        }
    }

    func testMalformedInputsAreRefusedNotCrashed() {
        let digest = [UInt8](repeating: 1, count: 32)
        XCTAssertFalse(OpenSSLCrypto.verifyRSAPSS(modulusBE: [], exponent: 65537, digest: digest, signatureBE: []))
        XCTAssertFalse(OpenSSLCrypto.verifyRSAPSS(modulusBE: [UInt8](repeating: 0xFF, count: 384), exponent: 65537, digest: digest, signatureBE: [UInt8](repeating: 0, count: 383)))
        XCTAssertFalse(OpenSSLCrypto.verifyRSAPSS(modulusBE: [UInt8](repeating: 0x00, count: 384), exponent: 65537, digest: digest, signatureBE: [UInt8](repeating: 1, count: 384)))
        // A point that is not on P-256 must not build a key.
        XCTAssertFalse(OpenSSLCrypto.verifyECDSAP256(x: [UInt8](repeating: 1, count: 32), y: [UInt8](repeating: 2, count: 32), digest: digest, r: digest, s: digest))
        XCTAssertFalse(OpenSSLCrypto.verifyECDSAP256(x: [], y: [], digest: digest, r: [], s: []))
    }

    /// Checks one block's signature field against `key`, reading the block layout directly.
    private func verify(block: [UInt8], digest: [UInt8], with key: SecureBootPublicKey) -> Bool {
        let signatureOffset = 36 + key.keyField.count
        switch key {
        case let .rsa3072(n, e, _, _):
            return OpenSSLCrypto.verifyRSAPSS(modulusBE: n, exponent: e, digest: digest, signatureBE: Array(block[signatureOffset..<(signatureOffset + 384)].reversed()))
        case let .ecdsa(_, x, y):
            let r = Array(block[signatureOffset..<(signatureOffset + 32)].reversed())
            let s = Array(block[(signatureOffset + 32)..<(signatureOffset + 64)].reversed())
            return OpenSSLCrypto.verifyECDSAP256(x: x, y: y, digest: digest, r: r, s: s)
        }
    }
}
