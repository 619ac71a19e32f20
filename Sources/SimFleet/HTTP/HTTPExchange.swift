import CCurl

/// What one device HTTP request came to: its final status (0 when no status line arrived), the
/// transport error that ended it (nil when it completed), and what libcurl measured.
struct HTTPExchange: Sendable, Equatable {
    var status: Int
    var error: HTTPTransportError?
    /// Start until the first response byte, and until the end, µs (DNS, connect, TLS included).
    var ttfbMicros: Int64
    var totalMicros: Int64
    var bytesIn: Int
    var bytesOut: Int
    var redirects: Int

    /// Reads the measurements of `easy` after `result` (from libcurl's DONE message, or on abort).
    init(easy: UnsafeMutableRawPointer, result: CURLcode, overLimit: Bool = false, aborted: Bool = false) {
        var m = simfleet_curl_measure()
        simfleet_curl_measure(easy, &m)
        status = Int(simfleet_curl_response_code(easy))
        error = aborted ? .aborted : HTTPTransportError(result, connected: m.connected != 0, overLimit: overLimit)
        ttfbMicros = m.ttfb_us
        totalMicros = m.total_us
        bytesIn = Int(m.bytes_in)
        bytesOut = Int(m.bytes_out)
        redirects = Int(m.redirects)
    }

    init(status: Int, error: HTTPTransportError?, ttfbMicros: Int64 = 0, totalMicros: Int64 = 0, bytesIn: Int = 0,
         bytesOut: Int = 0, redirects: Int = 0) {
        self.status = status
        self.error = error
        self.ttfbMicros = ttfbMicros
        self.totalMicros = totalMicros
        self.bytesIn = bytesIn
        self.bytesOut = bytesOut
        self.redirects = redirects
    }

    /// A 2xx answer and no transport error.
    var succeeded: Bool { error == nil && (200..<300).contains(status) }
}
