import DeviceCore
import XCTest
@testable import SimFleet

/// The provisioning half of `OpenSSLCrypto` against published test vectors: RFC 7748 (X25519),
/// NIST SP 800-38A F.5.5 (AES-256-CTR), the GCM spec's test case 14 (AES-256-GCM), FIPS 180-2
/// (SHA-512), and BIGNUM arithmetic small enough to check by hand.
final class OpenSSLProvisioningCryptoTests: XCTestCase {
    func hex(_ s: String) -> [UInt8] { bytesFromHex(s)! }

    func testX25519MatchesRFC7748SectionSix() throws {
        let alicePrivate = hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
        let bobPrivate = hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")
        let alicePublic = try XCTUnwrap(OpenSSLCrypto.x25519PublicKey(privateKey: alicePrivate))
        let bobPublic = try XCTUnwrap(OpenSSLCrypto.x25519PublicKey(privateKey: bobPrivate))
        XCTAssertEqual(hexString(alicePublic), "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
        XCTAssertEqual(hexString(bobPublic), "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")
        let shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"
        XCTAssertEqual(OpenSSLCrypto.x25519SharedSecret(privateKey: alicePrivate, peerPublicKey: bobPublic).map(hexString), shared)
        XCTAssertEqual(OpenSSLCrypto.x25519SharedSecret(privateKey: bobPrivate, peerPublicKey: alicePublic).map(hexString), shared)
    }

    func testX25519RefusesBadLengthsAndASmallOrderPeerKey() {
        let key = [UInt8](repeating: 1, count: 32)
        XCTAssertNil(OpenSSLCrypto.x25519PublicKey(privateKey: [1, 2, 3]))
        XCTAssertNil(OpenSSLCrypto.x25519SharedSecret(privateKey: key, peerPublicKey: [UInt8](repeating: 0, count: 31)))
        XCTAssertNil(OpenSSLCrypto.x25519SharedSecret(privateKey: key, peerPublicKey: [UInt8](repeating: 0, count: 32)),
                     "the all-zero point gives an all-zero secret")
    }

    func testAES256CTRMatchesSP80038AAndContinuesAtAnyOffset() throws {
        let key = hex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4")
        let counter = hex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff")
        let plain = hex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
                        + "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710")
        let cipher = "601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c5"
            + "2b0930daa23de94ce87017ba2d84988ddfc9c58db67aada613c2dd08457941a6"
        XCTAssertEqual(OpenSSLCrypto.aes256CTR(key: key, counter: counter, streamOffset: 0, plain).map(hexString), cipher)
        // In pieces that do not fall on block boundaries, as protocomm's stream is used.
        var out: [UInt8] = []
        var offset = 0
        for size in [5, 27, 1, 16, 15] {
            out += try XCTUnwrap(OpenSSLCrypto.aes256CTR(key: key, counter: counter, streamOffset: offset,
                                                         Array(plain[offset..<(offset + size)])))
            offset += size
        }
        XCTAssertEqual(hexString(out), cipher)
        // The counter block carries across its low bytes (a counter ending in ff...ff wraps).
        let wrap = OpenSSLCrypto.aes256CTR(key: key, counter: [UInt8](repeating: 0xFF, count: 16), streamOffset: 16, [0])
        let direct = OpenSSLCrypto.aes256CTR(key: key, counter: [UInt8](repeating: 0, count: 16), streamOffset: 0, [0])
        XCTAssertEqual(wrap, direct)
    }

    func testAES256GCMMatchesTestCase14AndRefusesATamperedTag() throws {
        let key = [UInt8](repeating: 0, count: 32), nonce = [UInt8](repeating: 0, count: 12)
        let sealed = try XCTUnwrap(OpenSSLCrypto.aes256GCMSeal(key: key, nonce: nonce, plaintext: [UInt8](repeating: 0, count: 16)))
        XCTAssertEqual(hexString(sealed), "cea7403d4d606b6e074ec5d3baf39d18" + "d0d1c8a799996bf0265b98b5d48ab919")
        XCTAssertEqual(OpenSSLCrypto.aes256GCMOpen(key: key, nonce: nonce, sealed: sealed), [UInt8](repeating: 0, count: 16))
        var tampered = sealed
        tampered[20] ^= 1
        XCTAssertNil(OpenSSLCrypto.aes256GCMOpen(key: key, nonce: nonce, sealed: tampered))
        XCTAssertNil(OpenSSLCrypto.aes256GCMOpen(key: key, nonce: nonce, sealed: [1, 2, 3]), "shorter than a tag")
    }

    func testSHA512MatchesFIPS180() {
        XCTAssertEqual(OpenSSLCrypto.sha512(Array("abc".utf8)).map(hexString),
                       "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd"
                       + "454d4423643ce80e2a9ac94fa54ca49f")
    }

    func testModularArithmeticGivesMinimalBigEndianResults() {
        XCTAssertEqual(OpenSSLCrypto.modularExponentiation(base: [2], exponent: [10], modulus: [0x03, 0xE8]), [24])
        XCTAssertEqual(OpenSSLCrypto.modularExponentiation(base: [0, 0, 7], exponent: [1], modulus: [7]), [])
        XCTAssertEqual(OpenSSLCrypto.modularMultiplication([0x01, 0x00], [0x01, 0x00], modulus: [0x01, 0x00, 0x01]), [0x01, 0x00, 0x00])
        XCTAssertEqual(OpenSSLCrypto.modularAddition([0xFF], [0x02], modulus: [0x01, 0x00]), [0x01])
        XCTAssertNil(OpenSSLCrypto.modularAddition([1], [1], modulus: []), "a zero modulus is refused, not a trap")
    }
}
