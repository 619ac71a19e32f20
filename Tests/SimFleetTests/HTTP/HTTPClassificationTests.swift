import CCurl
import DeviceCore
import XCTest
@testable import SimFleet

/// The pure parts of device HTTP: naming libcurl's failures, the registration retry decision and
/// its templates.
final class HTTPClassificationTests: XCTestCase {
    func testLibcurlResultsAreNamedByKind() {
        let cases: [(CURLcode, Bool, Bool, HTTPTransportError?)] = [
            (CURLE_OK, true, false, nil),
            (CURLE_COULDNT_CONNECT, false, false, .refused),
            (CURLE_COULDNT_RESOLVE_HOST, false, false, .dns),
            (CURLE_OPERATION_TIMEDOUT, true, false, .timeout),
            (CURLE_RECV_ERROR, true, false, .reset),
            (CURLE_GOT_NOTHING, true, false, .reset),
            (CURLE_PARTIAL_FILE, true, false, .reset),
            (CURLE_SSL_CONNECT_ERROR, true, false, .tls),
            (CURLE_PEER_FAILED_VERIFICATION, true, false, .tls),
            (CURLE_FILESIZE_EXCEEDED, true, false, .tooLarge),
            (CURLE_WRITE_ERROR, true, true, .tooLarge),
            (CURLE_WRITE_ERROR, true, false, .other),
            (CURLE_TOO_MANY_REDIRECTS, true, false, .redirects),
            (CURLE_WEIRD_SERVER_REPLY, true, false, .malformed),
            (CURLE_UNSUPPORTED_PROTOCOL, true, false, .malformed),
            (CURLE_UNSUPPORTED_PROTOCOL, false, false, .badURL),
            (CURLE_URL_MALFORMAT, false, false, .badURL),
            (CURLE_SEND_FAIL_REWIND, true, false, .other),
        ]
        for (code, connected, overLimit, expected) in cases {
            XCTAssertEqual(HTTPTransportError(code, connected: connected, overLimit: overLimit), expected, "\(code)")
        }
    }

    func testRegistrationRetriesServerErrorsAndTransportFailuresOnly() {
        let backoff = Backoff(base: .seconds(1), cap: .seconds(8), floor: .milliseconds(10))
        let now = Instant(milliseconds: 1_000_000)
        func after(_ status: Int, _ error: HTTPTransportError? = nil, attempt: Int = 1, retries: Int = 3) -> RegistrationState {
            var random = SeededRandom(seed: 1)
            return RegistrationState.after(HTTPExchange(status: status, error: error), attempt: attempt, retries: retries,
                                           backoff: backoff, now: now, random: &random)
        }
        XCTAssertEqual(after(201), .registered)
        XCTAssertEqual(after(204), .registered)
        for status in [400, 401, 403, 404, 409, 302] { XCTAssertEqual(after(status), .failed, "\(status) will not change") }
        for (status, error) in [(500, nil), (503, nil), (429, nil), (408, nil), (0, .refused), (0, .timeout), (0, .reset),
                                (0, .malformed), (200, .reset)] as [(Int, HTTPTransportError?)] {
            guard case .awaitingRetry(1, let at) = after(status, error) else { return XCTFail("\(status) \(String(describing: error)) is retried") }
            XCTAssertTrue(at > now && at <= now + .seconds(1), "first retry within the base")
        }
        for error in [HTTPTransportError.badURL, .tooLarge] { XCTAssertEqual(after(200, error), .failed) }
        XCTAssertEqual(after(500, attempt: 4, retries: 3), .failed, "out of retries")
        XCTAssertEqual(after(500, retries: 0), .failed, "0 retries: one try")
        // Full jitter under a capped, doubling ceiling.
        var delays: [Int64] = []
        for seed in 1...200 as ClosedRange<UInt64> {
            var random = SeededRandom(seed: seed)
            if case .awaitingRetry(_, let at) = RegistrationState.after(HTTPExchange(status: 500, error: nil), attempt: 6, retries: 9,
                                                                     backoff: backoff, now: now, random: &random) {
                delays.append((at - now).milliseconds)
            }
        }
        XCTAssertEqual(delays.count, 200)
        XCTAssertLessThanOrEqual(delays.max()!, 8000, "capped")
        XCTAssertLessThan(delays.min()!, 1000, "jitter reaches down to the floor")
    }

    func testRegistrationTemplatesExpandPerDeviceAndEscapeJSON() throws {
        let fields = RegistrationFields(id: #"odd"id\"#, n: 7, mac: "240ac4a1b2c3", chip: "esp32c6", firmware: "1.0.0")
        let body = fields.expand(#"{"device_code":"{id}","n":{n},"meta":{"mac":"{mac}","chip":"{chip}","fw":"{fw}","x":"{other}"}}"#,
                                 escapeJSON: true)
        let json = try JSONReader().parse(Array(body.utf8))
        XCTAssertEqual(json["device_code"]?.stringValue, #"odd"id\"#)
        XCTAssertEqual(json["n"]?.int64Value, 7)
        XCTAssertEqual(json["meta"]?["mac"]?.stringValue, "240ac4a1b2c3")
        XCTAssertEqual(json["meta"]?["fw"]?.stringValue, "1.0.0")
        XCTAssertEqual(json["meta"]?["x"]?.stringValue, "{other}", "unknown placeholders stay as written")
        var o = RegistrationOptions()
        o.headers = ["Authorization: Bearer {env:TOKEN}", "X-Device: {id}"]
        XCTAssertThrowsError(try o.resolvingEnvironment([:]))
        let resolved = try o.resolvingEnvironment(["TOKEN": "s3cret"])
        XCTAssertEqual(resolved.headerLines(fields), ["Content-Type: application/json", "Authorization: Bearer s3cret", #"X-Device: odd"id\"#])
        o.headers = ["Content-Type: application/x-www-form-urlencoded"]
        XCTAssertFalse(o.sendsJSON)
        XCTAssertEqual(o.headerLines(fields), ["Content-Type: application/x-www-form-urlencoded"])
    }
}
