import Foundation
import XCTest

/// Runs the built `simfleet inspect` on every file of the shared fixtures and holds its JSON and
/// exit status to esptool's and espsecure's recorded verdicts (the device's view where they differ).
final class InspectCommandTests: XCTestCase {
    func testEveryRealAndDerivedImageReportsEsptoolsFacts() throws {
        var checked = 0
        for folder in ["real", "real/derived"] {
            for name in try ESPFixtureFiles.files(in: folder, ext: "bin") {
                let expected = try ESPFixtureFiles.json(folder + "/" + name.replacingOccurrences(of: ".bin", with: ".expected.json"))
                let run = try Inspect.run(["--json", ESPFixtureFiles.path(folder + "/" + name)])
                let report = try run.report()
                checked += 1
                guard expected["accepted_by_esptool"] as! Bool else {
                    XCTAssertEqual(run.status, 1, name)
                    let error = try XCTUnwrap(report["error"] as? String, name)
                    let esptool = expected["esptool_error"] as! String
                    if esptool.contains("Image is empty") { XCTAssertEqual(error, "image is empty", name) }
                    if esptool.contains("invalid magic number: 0xe8") { XCTAssertEqual(error, "invalid magic number: 0xe8", name) }
                    if esptool.contains("End of file reading segment") { XCTAssertTrue(error.contains("truncated"), name + ": " + error) }
                    XCTAssertTrue(report["segments"] is NSNull, name)
                    continue
                }
                let header = expected["header"] as! [String: Any]
                let footer = expected["footer"] as! [String: Any]
                let app = expected["app_desc"] as! [String: Any]
                XCTAssertEqual(report["chip_id"] as? Int, header["chip_id"] as? Int, name)
                XCTAssertEqual(report["chip"] as? String, header["chip_id_name"] as? String, name)
                XCTAssertEqual(report["entry"] as? Int, header["entry_point"] as? Int, name)
                XCTAssertEqual(report["hash_appended"] as? Bool, header["hash_appended"] as? Bool, name)
                let segments = report["segments"] as! [[String: Any]]
                let expectedSegments = expected["segments"] as! [[String: Any]]
                XCTAssertEqual(segments.count, expectedSegments.count, name)
                for (ours, theirs) in zip(segments, expectedSegments) {
                    XCTAssertEqual(ours["load_address"] as? Int, theirs["load_address"] as? Int, name)
                    XCTAssertEqual(ours["length"] as? Int, theirs["length"] as? Int, name)
                    XCTAssertEqual(ours["file_offset"] as? Int, theirs["data_file_offset"] as? Int, name)
                }
                XCTAssertEqual(report["checksum"] as? Int, footer["checksum"] as? Int, name)
                XCTAssertEqual(report["checksum_calculated"] as? Int, footer["checksum_calculated"] as? Int, name)
                XCTAssertEqual(report["checksum_valid"] as? Bool, footer["checksum_valid"] as? Bool, name)
                XCTAssertEqual(report["hash_valid"] as? Bool, footer["validation_hash_valid"] as? Bool, name)
                XCTAssertEqual(report["sha256"] as? String, footer["validation_hash_sha256"] as? String, name)
                XCTAssertEqual(report["sha256_calculated"] as? String, footer["validation_hash_calculated"] as? String, name)
                let ourApp = report["app"] as! [String: Any]
                XCTAssertEqual(ourApp["magic_valid"] as? Bool, (app["magic_word"] as? Int) == 0xABCD_5432, name)
                for (ours, theirs) in [("secure_version", "secure_version"), ("version", "version"), ("project_name", "project_name"),
                                       ("time", "time"), ("date", "date"), ("idf_ver", "idf_ver"), ("elf_sha256", "app_elf_sha256")] {
                    XCTAssertEqual(String(describing: ourApp[ours]!), String(describing: app[theirs]!), name + " " + ours)
                }
                let valid = expected["validation_result"] as! String == "valid"
                XCTAssertEqual(run.status, valid ? 0 : 1, name)
                XCTAssertEqual(report["error"] is NSNull, valid, name)
            }
        }
        XCTAssertEqual(checked, 6)
    }

    func testEmptyFileIsRejectedWithAClearErrorInText() throws {
        let run = try Inspect.run([ESPFixtureFiles.path("real/firmware_v1.0.0.bin")])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.output.contains("INVALID: image is empty"), run.output)
    }

    func testESP32ImageReportsChipESP32AndItsMemoryTypes() throws {
        let file = ESPFixtureFiles.path("real/firmware_2025.03.23.184616.bin")
        let report = try Inspect.run(["--json", file]).report()
        XCTAssertEqual(report["chip"] as? String, "ESP32")
        XCTAssertEqual(report["chip_id"] as? Int, 0)
        let text = try Inspect.run([file]).output
        XCTAssertTrue(text.contains("Chip ID: 0 (ESP32)"), text)
        XCTAssertTrue(text.contains("      2  0xadb20  0x400d0020  0x00030018  IROM"), text)
        XCTAssertTrue(text.contains("Flash freq: 40m"), text)
    }

    func testTextReportCarriesEsptoolsImageInfoLines() throws {
        let name = "firmware_2025.03.25.124759"
        let ours = try Inspect.run([ESPFixtureFiles.path("real/" + name + ".bin")]).output.split(separator: "\n", omittingEmptySubsequences: false)
        let esptool = try String(contentsOfFile: ESPFixtureFiles.path("real/" + name + ".image_info.autodetect.txt"), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).dropFirst()  // "esptool v5.6.0"
        let body = esptool.filter { !$0.isEmpty }
        XCTAssertEqual(Array(ours.filter { !$0.isEmpty }.prefix(body.count)), body)
    }

    func testEspsecureSignedFilesVerifyOnlyWithTheirOwnKey() throws {
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
        let image = ESPFixtureFiles.path("real/firmware_2025.03.25.124759.bin")
        let run = try Inspect.run(["--json", "--key", ESPFixtureFiles.path("signing/keys/rsa3072_a.pub.pem"), image])
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(try run.report()["error"] as? String, "no signature verifies: the image has no signature sector")
        let badKey = try Inspect.run(["--key", image, image])
        XCTAssertEqual(badKey.status, 1)
        XCTAssertTrue(badKey.output.contains("not a PEM key"), badKey.output)
    }

    func testAnyOfSeveralKeysIsEnough() throws {
        let keys = ["ecdsa256_b", "rsa3072_a"].flatMap { ["--key", ESPFixtureFiles.path("signing/keys/" + $0 + ".pub.pem")] }
        let run = try Inspect.run(keys + [ESPFixtureFiles.path("signing/signed_rsa3072.bin")])
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertTrue(run.output.contains("Signature block 0 (rsa3072): verified with a given key"), run.output)
    }
}

/// The `simfleet` executable built next to the test bundle.
enum Inspect {
    struct Run {
        var status: Int32
        var output: String
        func report() throws -> [String: Any] {
            try JSONSerialization.jsonObject(with: Data(output.utf8)) as! [String: Any]
        }
    }

    static func run(_ arguments: [String]) throws -> Run {
        // On Linux the bundle URL is the products directory; on macOS it is the .xctest inside it.
        let bundle = Bundle(for: InspectCommandTests.self).bundleURL
        let candidates = [bundle, bundle.deletingLastPathComponent()].map { $0.appendingPathComponent("simfleet") }
        guard let binary = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            XCTFail("simfleet not built next to the tests (swift build --build-tests builds it)")
            throw CocoaError(.fileNoSuchFile)
        }
        let process = Process()
        process.executableURL = binary
        process.arguments = ["inspect"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }
}
