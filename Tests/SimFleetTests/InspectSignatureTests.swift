import Foundation
import XCTest

/// Runs the built `simfleet inspect --key` on every signed and tampered fixture: espsecure's verdict,
/// except that a block whose embedded key is not the given key is refused, as on a device.
final class InspectSignatureTests: XCTestCase {
    func testEspsecureSignedFilesVerifyOnlyWithTheirOwnKey() throws {
        try ESPFixtureFiles.require()
        let signed = try ESPFixtureFiles.json("signing/signed.expected.json")["signed"] as! [[String: Any]]
        XCTAssertEqual(signed.count, 3)
        for entry in signed {
            let file = ESPFixtureFiles.path("signing/" + (entry["file"] as! String))
            for verify in entry["verify"] as! [[String: Any]] {
                let key = verify["public_key"] as! String
                let run = try Inspect.run(["--json", "--key", ESPFixtureFiles.path("signing/keys/" + key + ".pub.pem"), file])
                let report = try run.report()
                let valid = verify["verdict"] as! String == "valid"
                XCTAssertEqual(run.status, valid ? 0 : 1, (entry["file"] as! String) + " with " + key)
                let block = (report["signatures"] as! [[String: Any]])[0]
                XCTAssertEqual(block["scheme"] as? String, entry["scheme"] as? String)
                XCTAssertEqual(block["verified"] as? Bool, valid, (entry["file"] as! String) + " with " + key)
                XCTAssertEqual(block["key_digest"] as? String, entry["signature_info_v2_key_digest"] as? String)
                if !valid { XCTAssertEqual(block["reason"] as? String, "signature block 0 public key is not trusted") }
            }
        }
    }

    func testEveryTamperedFileIsRefusedForTheRightReason() throws {
        try ESPFixtureFiles.require()
        let tampered = try ESPFixtureFiles.json("signing/signed.expected.json")["tampered"] as! [[String: Any]]
        let reasons: [(String, String)] = [
            ("_body_flip.bin", "signature block 0 image digest does not match"),
            ("_body_flip_digest_fixed.bin", "signature block 0 signature does not verify"),
            ("_sigblock_flip.bin", "signature block 0 CRC mismatch"),
            ("_sigblock_flip_crc_fixed.bin", "signature block 0 signature does not verify"),
            ("_pubkey_field_flip_crc_fixed.bin", "signature block 0 public key is not trusted"),
            ("signed_", "signature block 0 public key is not trusted"),  // espsecure's "other key" cases
        ]
        for entry in tampered {
            let name = entry["file"] as! String
            let verify = entry["verify"] as! [String: Any]
            let key = verify["public_key"] as! String
            let run = try Inspect.run(["--json", "--key", ESPFixtureFiles.path("signing/keys/" + key + ".pub.pem"), ESPFixtureFiles.path("signing/" + name)])
            let report = try run.report()
            XCTAssertEqual(run.status, 1, name + " must be refused (espsecure: " + (verify["verdict"] as! String) + ")")
            let error = try XCTUnwrap(report["error"] as? String, name)
            if name.hasSuffix("_truncated_100.bin") {
                XCTAssertTrue((report["signatures"] as! [Any]).isEmpty, name)
                XCTAssertTrue(error.contains("signature sector"), name + ": " + error)
                continue
            }
            let expected = try XCTUnwrap(reasons.first { name.hasSuffix($0.0) || name.hasPrefix($0.0) }?.1, name)
            let block = (report["signatures"] as! [[String: Any]])[0]
            XCTAssertEqual(block["verified"] as? Bool, false, name)
            XCTAssertEqual(block["reason"] as? String, expected, name)
        }
        XCTAssertEqual(tampered.count, 21)
    }

    func testUnsignedImageFailsWhenAKeyIsRequiredAndUnreadableKeyIsAnError() throws {
        try ESPFixtureFiles.require()
        let image = ESPFixtureFiles.path("real/firmware_2025.03.25.124759.bin")
        let run = try Inspect.run(["--json", "--key", ESPFixtureFiles.path("signing/keys/rsa3072_a.pub.pem"), image])
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(try run.report()["error"] as? String, "no signature verifies: the image has no signature sector")
        let badKey = try Inspect.run(["--key", image, image])
        XCTAssertEqual(badKey.status, 1)
        XCTAssertTrue(badKey.output.contains("not a PEM key"), badKey.output)
    }

    func testAnyOfSeveralKeysIsEnough() throws {
        try ESPFixtureFiles.require()
        let keys = ["ecdsa256_b", "rsa3072_a"].flatMap { ["--key", ESPFixtureFiles.path("signing/keys/" + $0 + ".pub.pem")] }
        let run = try Inspect.run(keys + [ESPFixtureFiles.path("signing/signed_rsa3072.bin")])
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertTrue(run.output.contains("Signature block 0 (rsa3072): verified with a given key"), run.output)
    }
}

