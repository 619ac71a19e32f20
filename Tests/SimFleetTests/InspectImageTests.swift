import Foundation
import XCTest

/// Runs the built `simfleet inspect` on every app image of the shared fixtures and holds its JSON,
/// text and exit status to esptool `image-info`'s recorded facts.
final class InspectImageTests: XCTestCase {
    func testEveryRealAndDerivedImageReportsEsptoolsFacts() throws {
        try ESPFixtureFiles.require()
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
        try ESPFixtureFiles.require()
        let run = try Inspect.run([ESPFixtureFiles.path("real/firmware_v1.0.0.bin")])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.output.contains("INVALID: image is empty"), run.output)
    }

    func testESP32ImageReportsChipESP32AndItsMemoryTypes() throws {
        try ESPFixtureFiles.require()
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
        try ESPFixtureFiles.require()
        let name = "firmware_2025.03.25.124759"
        let ours = try Inspect.run([ESPFixtureFiles.path("real/" + name + ".bin")]).output.split(separator: "\n", omittingEmptySubsequences: false)
        let esptool = try String(contentsOfFile: ESPFixtureFiles.path("real/" + name + ".image_info.autodetect.txt"), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).dropFirst()  // "esptool v5.6.0"
        let body = esptool.filter { !$0.isEmpty }
        XCTAssertEqual(Array(ours.filter { !$0.isEmpty }.prefix(body.count)), body)
    }
}

/// `--chip` makes inspect judge as a device of that chip: ESP-IDF refuses an image built for another.
final class InspectChipTests: XCTestCase {
    func testESP32ImageIsRefusedWhenAnESP32C6IsRequired() throws {
        try ESPFixtureFiles.require()
        let esp32 = ESPFixtureFiles.path("real/firmware_2025.03.23.184616.bin")
        let run = try Inspect.run(["--json", "--chip", "esp32c6", esp32])
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(try run.report()["error"] as? String, "chip id 0 does not match device chip id 13 (ESP32-C6)")
        XCTAssertEqual(try Inspect.run(["--chip", "esp32", esp32]).status, 0)
        XCTAssertEqual(try Inspect.run(["--chip", "esp32c6", ESPFixtureFiles.path("real/firmware_2025.03.25.124759.bin")]).status, 0)
    }
}
