import DeviceCoreVectors
import Foundation
import XCTest

/// The host half of the golden-vector check: the vectors run here must produce exactly the bytes
/// committed in `Tests/RISCV/expected.txt`, which `scripts/riscv-test` compares against the same
/// vectors run on rv32imac under QEMU. Regenerate with `scripts/riscv-test --update-expected`.
final class GoldenTranscriptTests: XCTestCase {
    static let expectedURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("expected.txt")

    func testHostTranscriptMatchesCommittedExpectedFileByteForByte() throws {
        let transcript = Array(goldenTranscript().utf8)
        if ProcessInfo.processInfo.environment["SIMFLEET_UPDATE_GOLDEN"] == "1" {
            try Data(transcript).write(to: Self.expectedURL)
            XCTFail("rewrote \(Self.expectedURL.path); review the diff and run again without SIMFLEET_UPDATE_GOLDEN")
            return
        }
        let expected = Array(try Data(contentsOf: Self.expectedURL))
        guard transcript != expected else { return }
        let got = String(decoding: transcript, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let want = String(decoding: expected, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        for i in 0..<max(got.count, want.count) {
            let g = i < got.count ? String(got[i]) : "<missing>"
            let w = i < want.count ? String(want[i]) : "<missing>"
            if Array(g.utf8) != Array(w.utf8) {
                XCTFail("line \(i + 1) differs\n want: \(w)\n  got: \(g)")
                return
            }
        }
        XCTFail("transcript differs from expected.txt")
    }

    func testEveryVectorHasAUniqueNameAndOneLine() {
        var names: [String] = []
        runGoldenVectors { name, output in
            names.append(name)
            XCTAssertFalse(goldenLine(name: name, output: output).contains("\n"), name)
            XCTAssertFalse(name.contains(":") || name.contains(" "), "vector name must be one word: \(name)")
        }
        XCTAssertEqual(Set(names).count, names.count, "duplicate vector names")
        XCTAssertGreaterThanOrEqual(names.count, 10)
    }

    func testLineEscapingKeepsEveryByteRecoverable() {
        XCTAssertEqual(goldenLine(name: "n", output: "a\\b\nc\u{01}\u{7F}é"), "n: a\\\\b\\nc\\x01\\x7fé")
    }
}
