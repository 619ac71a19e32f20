import XCTest
@testable import DeviceCore

final class CryptoPrimitiveTests: XCTestCase {
    func testSHA256MatchesFIPSVectors() {
        XCTAssertEqual(hexString(SoftwareSHA256.hash([][...])),
                       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(hexString(SoftwareSHA256.hash(Array("abc".utf8)[...])),
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(hexString(SoftwareSHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)[...])),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    func testSHA256IsTheSameWhateverTheChunking() {
        var rng = SeededRandom(seed: 7)
        let data = (0..<1000).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let whole = SoftwareSHA256.hash(data[...])
        for chunk in [1, 3, 63, 64, 65, 200] {
            var h = SoftwareSHA256()
            var i = 0
            while i < data.count { h.update(data[i..<min(i + chunk, data.count)]); i += chunk }
            XCTAssertEqual(h.finalize(), whole, "chunk \(chunk)")
        }
    }

    func testCRC32MatchesZlibAndESPROMConvention() {
        XCTAssertEqual(CRC32.zlib(Array("123456789".utf8)), 0xCBF4_3926)
        // otadata: esp_rom_crc32_le(0xFFFFFFFF, seq) — seq 1 and 2 from the fixtures README.
        XCTAssertEqual(CRC32.le(0xFFFF_FFFF, [1, 0, 0, 0]), 0x4743_989A)
        XCTAssertEqual(CRC32.le(0xFFFF_FFFF, [2, 0, 0, 0]), 0x55F6_3774)
        XCTAssertEqual(CRC32.zlib([1, 0, 0, 0]), 0x99F8_B879)
    }

    func testSoftwareCryptoCannotVerifySignatures() {
        XCTAssertFalse(SoftwareCrypto.verifyRSAPSS(modulusBE: [1], exponent: 65537, digest: [], signatureBE: [1]))
        XCTAssertFalse(SoftwareCrypto.verifyECDSAP256(x: [], y: [], digest: [], r: [], s: []))
    }
}
