import Foundation
import XCTest
@testable import DeviceCore
import DeviceTestKit

/// Reads the shared ESP-IDF fixtures at `../shared/fixtures/esp/` relative to the package root.
enum Fixtures {
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }  // Support, DeviceCoreTests, Tests, package
        return url.deletingLastPathComponent().appendingPathComponent("shared/fixtures/esp")
    }()

    static func bytes(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: root.appendingPathComponent(path)))
    }

    static func json(_ path: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent(path)))
        return try XCTUnwrap(object as? [String: Any])
    }

    static func files(in folder: String, suffix: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path)
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
