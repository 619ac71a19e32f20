import DeviceCore
import XCTest
@testable import SimFleet

/// The download's response head as libcurl hands it over line by line: only the final response
/// (after redirects) becomes a `.response`, and a resumed download reports where its body starts.
final class ResponseHeadTests: XCTestCase {
    private func feed(_ lines: [String]) -> [DownloadEvent] {
        var head = ResponseHead()
        return lines.compactMap { line in Array((line + "\r\n").utf8).withUnsafeBytes { head.consume(line: $0) } }
    }

    func testRedirectHeadsAreSkippedAndTheFinalOneIsReported() {
        let events = feed(["HTTP/1.1 302 Found", "Location: /fw.bin", "Content-Length: 12", "",
                           "HTTP/1.1 200 OK", "content-length: 4096", ""])
        XCTAssertEqual(events, [.response(status: 200, contentLength: 4096, rangeStart: 0)])
    }

    func testPartialContentCarriesTheRangeStart() {
        let events = feed(["HTTP/1.1 206 Partial Content", "Content-Range: bytes 1024-4095/4096", "Content-Length: 3072", ""])
        XCTAssertEqual(events, [.response(status: 206, contentLength: 3072, rangeStart: 1024)])
    }

    func testGarbledHeadersLeaveFieldsUnknownInsteadOfTrapping() {
        let events = feed(["HTTP/1.1 200", "Content-Length: 99999999999999999999999", "Content-Range: bytes x-y/z", "no colon here", ""])
        XCTAssertEqual(events, [.response(status: 200, contentLength: nil, rangeStart: 0)])
        XCTAssertEqual(feed(["HTTP/1.1 abc", ""]), [], "no status: not a response the device can use")
    }
}
