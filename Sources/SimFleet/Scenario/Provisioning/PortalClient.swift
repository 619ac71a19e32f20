import CCurl
import Foundation
import Glibc

/// A phone talking to a device's captive portal: one HTTP request with libcurl on a fresh
/// connection to the device's own loopback address, answered status code and body. Blocking, with
/// timeouts; used from the timeline thread, never from a reactor.
public struct PortalClient: Sendable {
    /// The portal's address (`127.20.0.5`) and port.
    public var address: String
    public var port: Int
    /// Longest a connect, a whole HTTP request, or a wait for a DNS reply may take.
    public var timeoutSeconds: Double = 3
    /// Largest answer body accepted; a larger one is refused (`responseTooLarge`), not cut.
    public var maxResponseBytes = 1 << 20

    public init(address: String, port: Int) {
        self.address = address
        self.port = port
    }

    /// Why a request got no HTTP answer.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case connect(errno: Int32)
        case io(errno: Int32)
        case malformedResponse
        /// The answer's body is over `maxResponseBytes` (announced or as it arrived).
        case responseTooLarge(limit: Int)

        public var description: String {
            switch self {
            case .connect(let e): return "connect: " + String(cString: strerror(e))
            case .io(let e): return "i/o: " + String(cString: strerror(e))
            case .malformedResponse: return "malformed HTTP response"
            case .responseTooLarge(let limit): return "response body over " + String(limit) + " bytes"
            }
        }
    }

    /// `POST /save` with the network's credentials as a form, as the portal page submits them.
    public func save(ssid: String, password: String) -> Result<(status: Int, body: String), Failure> {
        let form = "ssid=" + ssid.addingPercentEncodingForQuery() + "&password=" + password.addingPercentEncodingForQuery()
        return request("POST", "/save", contentType: "application/x-www-form-urlencoded", body: Array(form.utf8))
    }

    /// `method path` with `body` (sent, with its length, for every method but GET and HEAD; GET
    /// sends one only when not empty).
    public func request(_ method: String, _ path: String, contentType: String? = nil,
                        body: [UInt8] = []) -> Result<(status: Int, body: String), Failure> {
        var probe = in_addr()
        guard inet_pton(AF_INET, address, &probe) == 1 else { return .failure(.connect(errno: EINVAL)) }  // never a name lookup
        let easy = CurlLibrary.easyHandle()
        defer { simfleet_curl_easy_cleanup(easy) }
        var headers = simfleet_curl_slist_append(nil, "Expect:")
        if let contentType { headers = simfleet_curl_slist_append(headers, "Content-Type: " + contentType) }
        defer { simfleet_curl_slist_free_all(headers) }
        let sink = Sink(limit: maxResponseBytes)
        let sendsBody = method != "HEAD" && (method != "GET" || !body.isEmpty)
        // One byte more than the body, so even an empty one has an address (sent as `Content-Length: 0`);
        // libcurl copies the bytes, they need not outlive the closure.
        (body + [0]).withUnsafeBytes { raw in
            simfleet_curl_easy_prepare_request(easy, "http://" + address + ":" + String(port) + path, method,
                                               raw.baseAddress, sendsBody ? body.count : -1, headers, { ptr, size, n, ud in
                Unmanaged<Sink>.fromOpaque(ud!).takeUnretainedValue().take(UnsafeRawBufferPointer(start: ptr, count: size * n))
            }, Unmanaged.passUnretained(sink).toOpaque(), Int(timeoutSeconds * 1000))
        }
        simfleet_curl_easy_limits(easy, Int64(maxResponseBytes), 0)
        let code = simfleet_curl_easy_perform(easy)
        var measured = simfleet_curl_measure()
        simfleet_curl_measure(easy, &measured)
        guard let error = HTTPTransportError(code, connected: measured.connected != 0, overLimit: sink.overLimit) else {
            return .success((Int(simfleet_curl_response_code(easy)), String(decoding: sink.body, as: UTF8.self)))
        }
        let osErrno = Int32(simfleet_curl_os_errno(easy))
        switch error {
        case .refused, .dns, .badURL: return .failure(.connect(errno: osErrno != 0 ? osErrno : ECONNREFUSED))
        case .timeout: return .failure(measured.connected != 0 ? .io(errno: ETIMEDOUT) : .connect(errno: ETIMEDOUT))
        case .tooLarge: return .failure(.responseTooLarge(limit: maxResponseBytes))
        case .malformed: return .failure(.malformedResponse)
        case .reset, .tls, .redirects, .aborted, .other: return .failure(.io(errno: osErrno != 0 ? osErrno : ECONNRESET))
        }
    }

    /// The answer body as libcurl hands it over, refused past `limit` bytes.
    private final class Sink {
        let limit: Int
        var body: [UInt8] = []
        var overLimit = false

        init(limit: Int) { self.limit = limit }

        func take(_ bytes: UnsafeRawBufferPointer) -> Int {
            guard body.count + bytes.count <= limit else {
                overLimit = true
                return 0  // libcurl ends the transfer with CURLE_WRITE_ERROR
            }
            body.append(contentsOf: bytes)
            return bytes.count
        }
    }
}
