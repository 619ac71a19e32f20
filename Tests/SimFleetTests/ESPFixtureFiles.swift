import Foundation
import XCTest

/// The shared ESP-IDF fixtures at `../shared/fixtures/esp/` from the package root, read in place
/// (`SIMFLEET_ESP_FIXTURES` names another folder). A clone without them skips the tests that
/// compare with Espressif's ground truth: `require()` throws `XCTSkip`, so they count as skipped.
enum ESPFixtureFiles {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let root = ProcessInfo.processInfo.environment["SIMFLEET_ESP_FIXTURES"].map { URL(fileURLWithPath: $0) }
        ?? packageRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures/esp")

    /// Skips the calling test when Espressif's ground-truth files are not beside the clone.
    static func require() throws {
        guard FileManager.default.fileExists(atPath: root.path) else {
            throw XCTSkip("needs Espressif's ground-truth files in ../shared/fixtures/esp (not in this clone)")
        }
    }

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    static func bytes(_ relative: String) throws -> [UInt8] {
        try require()
        return [UInt8](try Data(contentsOf: root.appendingPathComponent(relative)))
    }

    static func json(_ relative: String) throws -> [String: Any] {
        try require()
        return try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent(relative))) as! [String: Any]
    }

    /// Names of the files in a fixture folder with the given extension, sorted.
    static func files(in folder: String, ext: String) throws -> [String] {
        try require()
        return try FileManager.default.contentsOfDirectory(atPath: path(folder)).filter { $0.hasSuffix("." + ext) }.sorted()
    }

    /// Key name → scheme from `signing/signed.expected.json`.
    static func signingKeys() throws -> [(name: String, scheme: String)] {
        let keys = try json("signing/signed.expected.json")["keys"] as! [String: [String: Any]]
        return keys.keys.sorted().map { ($0, keys[$0]!["scheme"] as! String) }
    }

    /// A scratch directory removed by the caller.
    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("simfleet-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}
