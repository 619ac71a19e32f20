import XCTest
@testable import DeviceCore
import DeviceTestKit

final class StatusMessageTests: XCTestCase {
    func testWhatTheDevicePublishesReadsBackIdentically() throws {
        var h = DeviceHarness(start: Instant(microseconds: 1_764_396_000_000_042))
        h.bootOnline()
        h.advance(by: TimeSpan(microseconds: 7_000_123))
        let published = h.send(.httpRequest(id: 1, HTTPRequest(method: .post, path: "/reboot", headers: [DeviceHarness.json]))).publishes[0]
        let expected = h.device.heartbeat(at: h.now)
        XCTAssertEqual(try StatusMessage(parsing: published.payload), .heartbeat(expected))
    }

    func testTheLastWillReadsAsOffline() throws {
        let will = Device<InsecureTestCrypto>(config: DeviceHarness.config()).connectOptions.will
        XCTAssertEqual(try StatusMessage(parsing: will?.payload ?? []), .offline)
    }

    func testIncompleteOrWrongStatusIsATypedError() {
        func error(_ text: String) -> StatusMessageError? {
            do { _ = try StatusMessage(parsing: Array(text.utf8)); return nil } catch { return error }
        }
        let good = #"{"id":"d","fw":"1","state":"online","uptime_s":1,"rssi":null,"free_heap":1,"reset_reason":"sw","boot_count":1,"seq":1,"ts":5.5}"#
        XCTAssertNil(error(good))
        XCTAssertEqual(error(good.replacingOccurrences(of: #""seq":1,"#, with: "")), .missingField("seq"))
        XCTAssertEqual(error(good.replacingOccurrences(of: "online", with: "dancing")), .invalidField("state"))
        XCTAssertEqual(error(good.replacingOccurrences(of: #""ts":5.5"#, with: #""ts":"5""#)), .invalidField("ts"))
        XCTAssertEqual(error(good.replacingOccurrences(of: #""ts":5.5"#, with: #""ts":5.1234"#)), .invalidField("ts"))
        XCTAssertEqual(error(good.replacingOccurrences(of: #""rssi":null,"#, with: "")), .missingField("rssi"))
        XCTAssertEqual(error("[]"), .notAnObject)
    }

    func testMillisecondsTextRoundTrips() {
        for us: Int64 in [0, 1, 999, 1000, 1_764_396_000_000_123, 1_764_396_000_000_100] {
            let instant = Instant(microseconds: us)
            XCTAssertEqual(Instant(millisecondsText: instant.millisecondsText), instant)
        }
        XCTAssertEqual(Instant(millisecondsText: "12"), Instant(milliseconds: 12))
        XCTAssertEqual(Instant(millisecondsText: "12.5"), Instant(microseconds: 12_500))
        for bad in ["", ".", "1.", ".5", "1.2.3", "-1", "1e3", "99999999999999999999"] {
            XCTAssertNil(Instant(millisecondsText: bad), bad)
        }
    }
}
