import CCurl
import Foundation

/// HTTP to a device's provisioning endpoints with libcurl: one easy handle, so the connection is
/// kept alive and the cookie engine returns the `session=` cookie the device set, as `esp_prov`'s
/// `http.client` connection does. Blocking; use it off the reactor threads.
public final class CurlProvisioningTransport: ProvisioningTransport, @unchecked Sendable {
    /// `http://host:port`.
    public let base: String
    public let timeoutMs: Int
    private let easy: UnsafeMutableRawPointer
    private var headers: UnsafeMutablePointer<curl_slist>?

    /// A transport to `host:port` (the device's loopback address and portal port).
    public init(host: String, port: Int, timeoutMs: Int = 10_000) {
        base = "http://" + host + ":" + String(port)
        self.timeoutMs = timeoutMs
        easy = CurlLibrary.easyHandle()
        // esp_prov's headers.
        headers = simfleet_curl_slist_append(nil, "Content-type: application/x-www-form-urlencoded")
        headers = simfleet_curl_slist_append(headers, "Accept: text/plain")
        headers = simfleet_curl_slist_append(headers, "Expect:")
    }

    deinit {
        simfleet_curl_easy_cleanup(easy)
        simfleet_curl_slist_free_all(headers)
    }

    private final class Sink {
        var body: [UInt8] = []
        var refusal: String?
    }

    public func post(_ endpoint: String, _ body: [UInt8]) throws(ProvisioningClientError) -> [UInt8] {
        let sink = Sink()
        let user = Unmanaged.passUnretained(sink).toOpaque()
        let url = base + "/" + endpoint
        body.withUnsafeBytes { raw in
            simfleet_curl_easy_prepare_binary_post(easy, url, raw.baseAddress, raw.count, headers, { ptr, size, n, ud in
                let sink = Unmanaged<Sink>.fromOpaque(ud!).takeUnretainedValue()
                let count = size * n
                if let ptr { sink.body.append(contentsOf: UnsafeRawBufferPointer(start: ptr, count: count).bindMemory(to: UInt8.self)) }
                return count
            }, { ptr, size, n, ud in
                let count = size * n
                if let ptr {
                    let line = String(decoding: UnsafeRawBufferPointer(start: ptr, count: count).bindMemory(to: UInt8.self), as: UTF8.self)
                    let prefix = "x-protocomm-refusal:"
                    if line.lowercased().hasPrefix(prefix) {
                        let sink = Unmanaged<Sink>.fromOpaque(ud!).takeUnretainedValue()
                        sink.refusal = line.dropFirst(prefix.count).trimmingCharacters(in: .whitespacesAndNewlines)
                    }
                }
                return count
            }, user, timeoutMs)
        }
        let code = simfleet_curl_easy_perform(easy)
        guard code == CURLE_OK else { throw .transport(String(cString: simfleet_curl_easy_strerror(code))) }
        let status = Int(simfleet_curl_response_code(easy))
        guard status == 200 else {
            throw .http(status: status, body: String(decoding: sink.body, as: UTF8.self), refusal: sink.refusal)
        }
        return sink.body
    }
}
