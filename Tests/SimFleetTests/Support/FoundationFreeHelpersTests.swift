import Foundation
import Glibc
import Synchronization
import XCTest
@testable import SimFleet

private final class Shared<Value>: Sendable { let value: Mutex<Value?> = Mutex(nil) }

/// The stdlib/libc replacements a run uses instead of Foundation produce what Foundation produced.
final class FoundationFreeHelpersTests: XCTestCase {
    func testUTCTimestampWritesWhatISO8601DateFormatterWrote() {
        let iso = ISO8601DateFormatter()
        for t in [0, 1, 59.999, 59.9995, 59.9994, 951_782_400.5, 1_764_583_200, 1_764_583_200.9996, 1_780_000_000.999_9, 4_102_444_799, -1.5] {
            XCTAssertEqual(UTCTimestamp.iso8601(unixSeconds: t), iso.string(from: Date(timeIntervalSince1970: t)), "\(t)")
        }
    }

    func testUTCTimeOfDayWritesWhatTheMillisecondDateFormatterWrote() {
        let f = DateFormatter()
        f.dateFormat = "HH:mm:ss.SSS"
        f.timeZone = TimeZone(identifier: "UTC")
        for t in [0, 0.0015, 0.0004, 59.999, 59.9996, 951_782_400.5, 1_764_583_200.045, 1_780_000_000.9994, 1_780_000_000.9996] {
            XCTAssertEqual(UTCTimestamp.timeOfDayMillis(unixSeconds: t), f.string(from: Date(timeIntervalSince1970: t)), "\(t)")
        }
    }

    func testBlankTrimmingStripsWhatCharacterSetWhitespacesStrips() {
        for text in ["", " ", "\t10s \t", " 1m30s", "5m ", "\u{00A0}1s\u{2003}", "\n1s\n", " a b ", "\u{3000}x", "\r\n"] {
            XCTAssertEqual(text.trimmingBlanks(), text.trimmingCharacters(in: .whitespaces), text.debugDescription)
        }
    }

    func testTemporaryDirectoryIsNSTemporaryDirectory() {
        XCTAssertEqual(temporaryDirectory, NSTemporaryDirectory())
    }

    func testAnOSThreadRunsUnderItsNameAndJoins() {
        let seen = Shared<(name: String, current: Bool)>()
        let holder = Shared<OSThread>()
        let ready = DispatchSemaphore(value: 0)
        let thread = OSThread(name: "simfleet-test-thread-long-name", stackSize: 1 << 20) {
            ready.wait()
            let name = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
            let current = holder.value.withLock { $0!.isCurrent }
            seen.value.withLock { $0 = (name, current) }
        }
        holder.value.withLock { $0 = thread }
        ready.signal()
        thread.join()
        let result = seen.value.withLock { $0 }
        XCTAssertEqual(result?.name, "simfleet-test-t\n")
        XCTAssertEqual(result?.current, true)
        XCTAssertFalse(thread.isCurrent)
    }

    func testOSThreadSleepWaitsAtLeastTheTime() {
        let start = DispatchTime.now().uptimeNanoseconds
        OSThread.sleep(seconds: 0.05)
        XCTAssertGreaterThanOrEqual(DispatchTime.now().uptimeNanoseconds - start, 50_000_000)
    }
}

extension FoundationFreeHelpersTests {
    func testPrintfFormattingWritesWhatStringFormatWrote() {
        for d in [0, -0.0004, 0.0005, 1.23456, 99.9995, 1234567.891, -42.5, 1e-7, 3.0e12] {
            for f in ["%.3f", "%.2f", "%.1f", "%.0f", "%.4f", "%.2g", "%.3g", "%6.1f", "%5.0f"] {
                XCTAssertEqual(String(printf: f, d), String(format: f, d), "\(f) \(d)")
            }
        }
        XCTAssertEqual(String(printf: "%02x", UInt8(7)), String(format: "%02x", UInt8(7)))
        XCTAssertEqual(String(printf: "\\u%04x", UInt32(0x1f)), String(format: "\\u%04x", UInt32(0x1f)))
        XCTAssertEqual(String(printf: "[%5.0fs] connecting %d  online %d/%d", 3.4, 5, 6, 7),
                       String(format: "[%5.0fs] connecting %d  online %d/%d", 3.4, 5, 6, 7))
        let long = String(repeating: "x", count: 300)
        XCTAssertEqual(String(printf: "%.1f " + long, 2.0), "2.0 " + long)
    }
}
