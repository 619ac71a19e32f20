import CCurl

/// One POST in flight (device registration): its easy handle and header list, a bounded copy of
/// the answer's body, and what to call when it ends. Bodies are never written to stdout.
final class HTTPPost {
    let easy: UnsafeMutableRawPointer
    let kind: HTTPKind
    var headers: UnsafeMutablePointer<curl_slist>?
    private let maxBody: Int
    private let completion: (HTTPExchange, [UInt8]) -> Void
    /// The start of the answer's body, for messages (the rest is counted, not kept).
    private(set) var kept: [UInt8] = []
    private var received = 0
    private(set) var overLimit = false

    /// How much of an answer is kept.
    static let keptBytes = 1024

    init(easy: UnsafeMutableRawPointer, kind: HTTPKind, maxBody: Int, completion: @escaping (HTTPExchange, [UInt8]) -> Void) {
        self.easy = easy
        self.kind = kind
        self.maxBody = maxBody
        self.completion = completion
    }

    static func from(_ p: UnsafeMutableRawPointer?) -> HTTPPost {
        Unmanaged<HTTPPost>.fromOpaque(p!).takeUnretainedValue()
    }

    /// libcurl's write callback: keep a prefix, count the rest, abort past `maxBody`.
    func body(_ bytes: UnsafeRawBufferPointer) -> Int {
        received += bytes.count
        if maxBody > 0 && received > maxBody {
            overLimit = true
            return 0
        }
        if kept.count < HTTPPost.keptBytes { kept.append(contentsOf: bytes.prefix(HTTPPost.keptBytes - kept.count)) }
        return bytes.count
    }

    /// Hands the outcome over and frees the handle (the easy handle is already out of the multi).
    func finish(_ exchange: HTTPExchange) {
        completion(exchange, kept)
        simfleet_curl_slist_free_all(headers)
        headers = nil
        simfleet_curl_easy_cleanup(easy)
    }
}

/// Bounds of one kind of device request: body size and total time.
struct HTTPLimits: Sendable, Equatable {
    /// Largest body accepted, bytes (0: any).
    var maxBody = 0
    /// Longest the whole request may take, seconds (0: no total bound; the stall timeout still applies).
    var timeoutSeconds = 0
    /// An announced `Content-Length` over `maxBody` fails the request before its body (false: the
    /// device sees the length and refuses it itself, as the OTA updater does with an image too
    /// large for its slot).
    var refuseAnnouncedOversize = true
}
