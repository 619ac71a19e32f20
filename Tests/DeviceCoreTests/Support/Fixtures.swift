import Foundation
import XCTest
@testable import DeviceCore
import DeviceTestKit

/// Reads the shared ESP-IDF fixtures at `../shared/fixtures/esp/` relative to the package root
/// (`SIMFLEET_ESP_FIXTURES` names another folder). A clone without them skips the tests that
/// compare with Espressif's ground truth: `require()` throws `XCTSkip`, so they count as skipped.
enum Fixtures {
    static let root: URL = {
        if let folder = ProcessInfo.processInfo.environment["SIMFLEET_ESP_FIXTURES"] { return URL(fileURLWithPath: folder) }
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }  // Support, DeviceCoreTests, Tests, package
        return url.deletingLastPathComponent().appendingPathComponent("shared/fixtures/esp")
    }()

    /// Skips the calling test when Espressif's ground-truth files are not beside the clone.
    static func require() throws {
        guard FileManager.default.fileExists(atPath: root.path) else {
            throw XCTSkip("needs Espressif's ground-truth files in ../shared/fixtures/esp (not in this clone)")
        }
    }

    static func bytes(_ path: String) throws -> [UInt8] {
        try require()
        return [UInt8](try Data(contentsOf: root.appendingPathComponent(path)))
    }

    static func json(_ path: String) throws -> [String: Any] {
        try require()
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent(path)))
        return try XCTUnwrap(object as? [String: Any])
    }

    static func files(in folder: String, suffix: String) throws -> [String] {
        try require()
        return try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path)
            .filter { $0.hasSuffix(suffix) }.sorted()
    }
}

extension Dictionary where Key == String, Value == Any {
    func dict(_ key: String) -> [String: Any]? { self[key] as? [String: Any] }
    func int(_ key: String) -> Int? { (self[key] as? NSNumber)?.intValue }
    func string(_ key: String) -> String? { self[key] as? String }
    func bool(_ key: String) -> Bool? { (self[key] as? NSNumber)?.boolValue }
    func array(_ key: String) -> [[String: Any]]? { self[key] as? [[String: Any]] }
}

extension TestImages {
    /// Real ESP-IDF builds in the shared fixtures (`Fixtures.bytes`).
    static let realC6Name = "real/firmware_2025.03.25.124759.bin"
    static let realESP32Name = "real/firmware_2025.03.23.184616.bin"
}
