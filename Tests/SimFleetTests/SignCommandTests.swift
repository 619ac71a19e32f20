import Foundation
import XCTest

/// The `simfleet sign` command end to end: its output passes espsecure and `simfleet inspect`,
/// and wrong arguments fail with a reason.
final class SignCommandTests: XCTestCase {
    func testSignedOutputPassesEspsecureAndInspectWithTheKeyOnly() throws {
        try ESPFixtureFiles.require()
        let dir = try ESPFixtureFiles.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let image = ESPFixtureFiles.path("real/firmware_2025.03.25.124759.bin")
        for (scheme, other) in [("rsa3072", "rsa3072_b"), ("ecdsa256", "ecdsa256_b")] {
            let out = dir.appendingPathComponent(scheme + ".bin").path
            let sign = try Simfleet.run(["sign", "--key", ESPFixtureFiles.path("signing/keys/" + scheme + "_a.pem"), "--scheme", scheme, image, out])
            XCTAssertEqual(sign.status, 0, sign.output)
            XCTAssertTrue(sign.output.contains("(padded by 1536 bytes); signature sector at offset 1073152"), sign.output)
            let espsecure = try Espsecure.verify(publicKey: ESPFixtureFiles.path("signing/keys/" + scheme + "_a.pub.pem"), file: out)
            XCTAssertEqual(espsecure.status, 0, espsecure.output)
            XCTAssertEqual(try Inspect.run(["--key", ESPFixtureFiles.path("signing/keys/" + scheme + "_a.pub.pem"), out]).status, 0)
            XCTAssertEqual(try Inspect.run(["--key", ESPFixtureFiles.path("signing/keys/" + other + ".pub.pem"), out]).status, 1)
        }
    }

    func testSchemeMismatchAndMissingFilesFailWithAReason() throws {
        try ESPFixtureFiles.require()
        let dir = try ESPFixtureFiles.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let image = ESPFixtureFiles.path("real/firmware_2025.03.25.124759.bin")
        let out = dir.appendingPathComponent("out.bin").path
        let mismatch = try Simfleet.run(["sign", "--key", ESPFixtureFiles.path("signing/keys/ecdsa256_a.pem"), "--scheme", "rsa3072", image, out])
        XCTAssertEqual(mismatch.status, 1)
        XCTAssertTrue(mismatch.output.contains("--scheme rsa3072 does not match the key, which is ecdsa256"), mismatch.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing is written on failure")
        let publicOnly = try Simfleet.run(["sign", "--key", ESPFixtureFiles.path("signing/keys/ecdsa256_a.pub.pem"), image, out])
        XCTAssertEqual(publicOnly.status, 1)
        XCTAssertTrue(publicOnly.output.contains("signing needs the private key"), publicOnly.output)
        let empty = try Simfleet.run(["sign", "--key", ESPFixtureFiles.path("signing/keys/rsa3072_a.pem"), ESPFixtureFiles.path("real/firmware_v1.0.0.bin"), out])
        XCTAssertEqual(empty.status, 1)
        XCTAssertTrue(empty.output.contains("image is empty"), empty.output)
        let badScheme = try Simfleet.run(["sign", "--key", ESPFixtureFiles.path("signing/keys/rsa3072_a.pem"), "--scheme", "ecdsa384", image, out])
        XCTAssertNotEqual(badScheme.status, 0)
    }
}
