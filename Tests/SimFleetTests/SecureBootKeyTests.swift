import DeviceCore
import XCTest
@testable import SimFleet

/// PEM keys read with OpenSSL give the Secure Boot V2 key fields and eFuse digests espsecure gives.
final class SecureBootKeyTests: XCTestCase {
    func testEveryFixtureKeyHasEspsecuresSBV2Digest() throws {
        try ESPFixtureFiles.require()
        let keys = try ESPFixtureFiles.signingKeys()
        XCTAssertEqual(keys.count, 5)
        for (name, scheme) in keys {
            let expected = try ESPFixtureFiles.bytes("signing/keys/" + name + ".pub.sbv2_digest.bin")
            let publicKey = try PEMKey(path: ESPFixtureFiles.path("signing/keys/" + name + ".pub.pem"))
            let privateKey = try PEMKey(path: ESPFixtureFiles.path("signing/keys/" + name + ".pem"))
            XCTAssertEqual(publicKey.scheme.name, scheme)
            XCTAssertFalse(publicKey.hasPrivateKey)
            XCTAssertTrue(privateKey.hasPrivateKey)
            XCTAssertEqual(try SecureBootPublicKey(publicKey).digest, expected, name)
            XCTAssertEqual(try SecureBootPublicKey(privateKey).digest, expected, name)
        }
    }

    func testKeyFieldEqualsTheOneEspsecureWroteIntoTheBlock() throws {
        try ESPFixtureFiles.require()
        for (scheme, length) in [("rsa3072", 776), ("ecdsa256", 65)] {
            let file = try ESPFixtureFiles.bytes("signing/signed_" + scheme + ".bin")
            let field = try SecureBootPublicKey(PEMKey(path: ESPFixtureFiles.path("signing/keys/" + scheme + "_a.pub.pem"))).keyField
            XCTAssertEqual(field.count, length)
            XCTAssertEqual(field, Array(file[(1_073_152 + 36)..<(1_073_152 + 36 + length)]), scheme)
        }
    }

    func testMontgomeryConstantsSatisfyTheirDefinitions() throws {
        try ESPFixtureFiles.require()
        let key = try SecureBootPublicKey(PEMKey(path: ESPFixtureFiles.path("signing/keys/rsa3072_b.pem")))
        guard case let .rsa3072(n, e, rinv, mPrime) = key else { return XCTFail("not RSA") }
        XCTAssertEqual(e, 65537)
        // n * m' ≡ -1 (mod 2^32): only the lowest 32 bits of n matter.
        let n0 = UInt32(n[380]) << 24 | UInt32(n[381]) << 16 | UInt32(n[382]) << 8 | UInt32(n[383])
        XCTAssertEqual(n0 &* mPrime, UInt32.max)
        XCTAssertEqual(rinv.count, 384)
        XCTAssertTrue(rinv.lexicographicallyPrecedes(n), "rinv is reduced mod n")
    }

    func testNonKeysAndUnsupportedKeysGiveClearErrors() throws {
        try ESPFixtureFiles.require()
        XCTAssertThrowsError(try PEMKey(pem: Array("hello".utf8))) { error in
            guard case PEMKeyError.notAKey = error else { return XCTFail(String(describing: error)) }
        }
        XCTAssertThrowsError(try PEMKey(path: "/nonexistent/key.pem")) { error in
            XCTAssertEqual(error as? PEMKeyError, .unreadableFile(path: "/nonexistent/key.pem"))
        }
        let dir = try ESPFixtureFiles.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let rsa2048 = dir.appendingPathComponent("rsa2048.pem").path
        try OpenSSLTool.run(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", rsa2048])
        XCTAssertThrowsError(try PEMKey(path: rsa2048)) { error in
            XCTAssertEqual(error as? PEMKeyError, .unsupportedKey("RSA-2048"))
        }
        let ed = dir.appendingPathComponent("ed25519.pem").path
        try OpenSSLTool.run(["genpkey", "-algorithm", "ED25519", "-out", ed])
        XCTAssertThrowsError(try PEMKey(path: ed)) { error in
            guard case PEMKeyError.unsupportedKey = error else { return XCTFail(String(describing: error)) }
        }
    }
}

/// Runs the `openssl` command-line tool (key generation for tests).
enum OpenSSLTool {
    static func run(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.executableLoad) }
    }
}
