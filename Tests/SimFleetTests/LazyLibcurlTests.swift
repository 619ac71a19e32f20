import Foundation
import XCTest

/// libcurl and its dependency tree (about 4.4 MiB resident) are loaded at the first transfer, not
/// at start: a fleet that only heartbeats never maps them (`CCurl/loader.c`).
final class LazyLibcurlTests: XCTestCase {
    func testAFleetThatNeverDownloadsNeverMapsLibcurl() throws {
        let process = try Simfleet.startSmallFleet()
        defer { if process.isRunning { process.terminate() } }
        // Sample the mappings while the fleet runs (devices online, heartbeats flowing).
        var sampled: String?
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.5)
            // /proc files report size 0: read them to the end rather than by their size.
            if let file = FileHandle(forReadingAtPath: "/proc/\(process.processIdentifier)/maps"),
               case let maps = String(decoding: file.readDataToEndOfFile(), as: UTF8.self), maps.contains("libmosquitto") {
                sampled = maps
                if Date() > deadline.addingTimeInterval(-17) { break }  // 3 s into the run
            }
        }
        let maps = try XCTUnwrap(sampled, "simfleet ended before its mappings could be read")
        XCTAssertFalse(maps.contains("libcurl"), "libcurl mapped by a run that transfers nothing")
        XCTAssertFalse(maps.contains("libgnutls"))
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
    }
}
