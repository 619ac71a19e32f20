import DeviceCore
import Foundation
import XCTest
@testable import SimFleet

/// Text from files that `simfleet` prints (an image's app descriptor, a scenario's values in error
/// messages) reaches the terminal with its control characters escaped.
final class TerminalEscapingTests: XCTestCase {
    private func temporary(_ name: String, _ contents: [UInt8]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("escape-\(UUID().uuidString)-" + name)
        try Data(contents).write(to: url)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func testAnImagesVersionAndProjectReachTheTerminalEscaped() throws {
        let image = AppImageBuilder.simple(chip: .esp32c6, version: "1.0\n\u{1b}[2J", projectName: "p\u{1b}]0;pwned\u{07}",
                                           hasher: OpenSSLSHA256.self)
        let file = try temporary("escape.bin", image)
        let run = try Inspect.run([file.path])
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertFalse(run.output.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 }, run.output.debugDescription)
        XCTAssertTrue(run.output.contains(#"App version: 1.0\n\x1b[2J"#), run.output)
        XCTAssertTrue(run.output.contains(#"Project name: p\x1b]0;pwned\x07"#), run.output)
    }

    func testAScenarioValueReachesTheTerminalEscapedInItsError() throws {
        let yaml = "name: hostile\nduration: \"1\\e[2J\\nforged: line\"\nfleet:\n  - count: 1\n"
        let file = try temporary("escape.yaml", Array(yaml.utf8))
        let run = try Simfleet.run(["validate", file.path])
        XCTAssertEqual(run.status, 2, run.output)
        XCTAssertFalse(run.output.unicodeScalars.contains { $0.value == 0x1B }, run.output.debugDescription)
        XCTAssertTrue(run.output.contains(#"1\x1b[2J\nforged: line"#), run.output)
    }
}
