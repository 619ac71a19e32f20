import DeviceCore
import Foundation
import XCTest
@testable import SimFleet

/// `simfleet sign` output must be what `espsecure sign-data --version 2` writes: Espressif's own
/// verifier accepts it, and its layout matches the fixture signed by espsecure byte for byte
/// outside the randomized signature.
final class SignatureSectorWriterTests: XCTestCase {
    let imagePath = "real/firmware_2025.03.25.124759.bin"

    func testEspsecureAcceptsOurSignaturesWithFixtureKeys() throws {
        try ESPFixtureFiles.require()
        let dir = try ESPFixtureFiles.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for scheme in ["rsa3072", "ecdsa256"] {
            let out = dir.appendingPathComponent("signed_" + scheme + ".bin")
            let signed = try SignatureSectorWriter.sign(image: ESPFixtureFiles.bytes(imagePath), key: PEMKey(path: ESPFixtureFiles.path("signing/keys/" + scheme + "_a.pem")))
            try Data(signed).write(to: out)
            let own = try Espsecure.verify(publicKey: ESPFixtureFiles.path("signing/keys/" + scheme + "_a.pub.pem"), file: out.path)
            XCTAssertEqual(own.status, 0, own.output)
            XCTAssertTrue(own.output.contains("Signature block 0 verification successful"), own.output)
            let other = try Espsecure.verify(publicKey: ESPFixtureFiles.path("signing/keys/" + scheme + "_b.pub.pem"), file: out.path)
            XCTAssertNotEqual(other.status, 0, other.output)
        }
    }

    func testEspsecureAcceptsOurSignaturesWithKeysGeneratedNow() throws {
        try ESPFixtureFiles.require()
        let dir = try ESPFixtureFiles.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let image = Array(try ESPFixtureFiles.bytes(imagePath).prefix(200_001))  // not sector aligned
        for (scheme, options) in [("rsa3072", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072"]),
                                  ("ecdsa256", ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"])] {
            let priv = dir.appendingPathComponent(scheme + ".pem").path
            let pub = dir.appendingPathComponent(scheme + ".pub.pem").path
            try OpenSSLTool.run(["genpkey"] + options + ["-out", priv])
            try OpenSSLTool.run(["pkey", "-in", priv, "-pubout", "-out", pub])
            let key = try PEMKey(path: priv)
            XCTAssertEqual(key.scheme.name, scheme)
            let out = dir.appendingPathComponent("signed.bin")
            try Data(SignatureSectorWriter.sign(image: image, key: key, scheme: key.scheme)).write(to: out)
            let result = try Espsecure.verify(publicKey: pub, file: out.path)
            XCTAssertEqual(result.status, 0, result.output)
        }
    }

    func testLayoutMatchesEspsecureOutsideTheRandomizedSignature() throws {
        try ESPFixtureFiles.require()
        for scheme in ["rsa3072", "ecdsa256"] {
            let theirs = try ESPFixtureFiles.bytes("signing/signed_" + scheme + ".bin")
            let ours = try SignatureSectorWriter.sign(image: ESPFixtureFiles.bytes(imagePath), key: PEMKey(path: ESPFixtureFiles.path("signing/keys/" + scheme + "_a.pem")))
            XCTAssertEqual(ours.count, 1_077_248)
            let sector = 1_073_152
            let keyEnd = sector + 36 + (scheme == "rsa3072" ? 776 : 65)
            let signatureEnd = keyEnd + (scheme == "rsa3072" ? 384 : 64)
            XCTAssertEqual(ours[..<keyEnd], theirs[..<keyEnd], "image, padding, header, digest and key field")
            XCTAssertNotEqual(ours[keyEnd..<signatureEnd], theirs[keyEnd..<signatureEnd], "signatures are randomized")
            XCTAssertEqual(ours[signatureEnd..<(sector + 1196)], theirs[signatureEnd..<(sector + 1196)], "zero fill")
            XCTAssertEqual(ours[(sector + 1200)...], theirs[(sector + 1200)...], "zero tail and 0xFF rest of sector")
            XCTAssertEqual(ours[(sector + 1196)..<(sector + 1200)].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }, CRC32.zlib(ours[sector..<(sector + 1196)]))
        }
    }

    func testSchemeMismatchEmptyImageAndPublicOnlyKeyAreRefused() throws {
        try ESPFixtureFiles.require()
        let rsa = try PEMKey(path: ESPFixtureFiles.path("signing/keys/rsa3072_a.pem"))
        XCTAssertThrowsError(try SignatureSectorWriter.sign(image: [1, 2, 3], key: rsa, scheme: .ecdsaP256)) {
            XCTAssertEqual($0 as? SignError, .schemeMismatch(requested: .ecdsaP256, key: .rsa3072))
        }
        XCTAssertThrowsError(try SignatureSectorWriter.sign(image: [], key: rsa)) { XCTAssertEqual($0 as? SignError, .emptyImage) }
        let publicOnly = try PEMKey(path: ESPFixtureFiles.path("signing/keys/ecdsa256_a.pub.pem"))
        XCTAssertThrowsError(try SignatureSectorWriter.sign(image: [1], key: publicOnly)) { XCTAssertEqual($0 as? SignError, .key(.publicKeyOnly)) }
        let p384 = try PEMKey(path: ESPFixtureFiles.path("signing/keys/ecdsa384_a.pem"))
        XCTAssertThrowsError(try SignatureSectorWriter.sign(image: [1], key: p384)) { XCTAssertEqual($0 as? SignError, .unsupportedScheme(.ecdsaP384)) }
    }
}

/// Espressif's `espsecure` 5.6.0, from the venv `scripts/install-deps` makes or from PATH.
/// Missing is a failure, not a skip: the interop claim rests on it.
enum Espsecure {
    static func executable() throws -> String {
        let venv = ESPFixtureFiles.packageRoot.appendingPathComponent(".build/esptool-venv/bin/espsecure").path
        if FileManager.default.isExecutableFile(atPath: venv) { return venv }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = String(dir) + "/espsecure"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        XCTFail("espsecure not found: run scripts/install-deps (it installs esptool 5.6.0 into .build/esptool-venv)")
        throw CocoaError(.fileNoSuchFile)
    }

    static func verify(publicKey: String, file: String) throws -> (status: Int32, output: String) {
        var environment = ProcessInfo.processInfo.environment
        environment["COLUMNS"] = "200"
        let child = try ChildProcess.run(URL(fileURLWithPath: try executable()),
                                         ["verify-signature", "--version", "2", "--keyfile", publicKey, file],
                                         environment: environment)
        return (child.status, child.output)
    }
}
