@testable import DeviceCoreVectors
import Foundation
import XCTest

/// The image vectors are only worth comparing across ISAs if they are right: the bytes compiled
/// into the vectors are the real files' first bytes, and what the vectors print about them agrees
/// with esptool's ground truth in `../shared/fixtures/esp/real/*.expected.json`.
final class RealImageVectorTests: XCTestCase {
    static let fixtures = ProcessInfo.processInfo.environment["SIMFLEET_ESP_FIXTURES"].map { URL(fileURLWithPath: $0).appendingPathComponent("real") }
        ?? URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/fixtures/esp/real")

    func check(_ name: String, prefix: [UInt8], vector: String) throws {
        // A clone without ../shared: skipped (and counted so), never passed.
        guard FileManager.default.fileExists(atPath: Self.fixtures.path) else {
            throw XCTSkip("needs Espressif's ground-truth files in ../shared/fixtures/esp (not in this clone)")
        }
        let file = try Data(contentsOf: Self.fixtures.appendingPathComponent(name + ".bin"))
        XCTAssertEqual(prefix, Array(file.prefix(prefix.count)), "embedded copy of \(name) is not the file's first bytes")

        let truth = try XCTUnwrap(JSONSerialization.jsonObject(
            with: Data(contentsOf: Self.fixtures.appendingPathComponent(name + ".expected.json"))) as? [String: Any])
        let header = try XCTUnwrap(truth["header"] as? [String: Any])
        let segment = try XCTUnwrap((truth["segments"] as? [[String: Any]])?.first)
        let app = try XCTUnwrap(truth["app_desc"] as? [String: Any])

        var line: String?
        runGoldenVectors { n, output in if n == vector { line = output } }
        let text = try XCTUnwrap(line, "no vector \(vector)")
        let facts = [
            "entry=" + (header["entry_point_hex"] as? String ?? "?"),
            "chip_id=\(header["chip_id"] as? Int ?? -1) ",
            "load=" + (segment["load_address_hex"] as? String ?? "?"),
            "length=\(segment["length"] as? Int ?? -1) ",
            "version=" + (app["version"] as? String ?? "?") + " ",
            "project=" + (app["project_name"] as? String ?? "?"),
            "built " + (app["date"] as? String ?? "?") + " " + (app["time"] as? String ?? "?"),
            "idf " + (app["idf_ver"] as? String ?? "?"),
            "elf_sha256=" + (app["app_elf_sha256"] as? String ?? "?"),
        ]
        for fact in facts {
            XCTAssertTrue(text.contains(fact), "\(vector) should say \(fact) as esptool does:\n\(text)")
        }
    }

    func testESP32C6ImageVectorAgreesWithEsptool() throws {
        try check("firmware_2025.03.25.124759", prefix: realC6ImagePrefix, vector: "ota.image.esp32c6-real")
    }

    func testESP32ImageVectorAgreesWithEsptool() throws {
        try check("firmware_2025.03.23.184616", prefix: realESP32ImagePrefix, vector: "ota.image.esp32-real")
    }
}
