/// HTTP methods the device's web server distinguishes.
public enum HTTPMethod: Equatable, Sendable {
    case get, head, post, put, delete, options
    case other(String)

    public init(_ text: String) {
        switch text {
        case "GET": self = .get
        case "HEAD": self = .head
        case "POST": self = .post
        case "PUT": self = .put
        case "DELETE": self = .delete
        case "OPTIONS": self = .options
        default: self = .other(text)
        }
    }
}

/// One header line; names compare case-insensitively through `HTTPRequest.header(_:)`.
public struct HTTPHeader: Equatable, Sendable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A request as the host's HTTP server parsed it. The host reads at most the body limit plus one
/// byte, so the device can answer 413 without the host buffering an attacker's gigabyte.
public struct HTTPRequest: Equatable, Sendable {
    public var method: HTTPMethod
    /// Path without the query string, e.g. `/update`.
    public var path: String
    /// Raw query string without the `?`, empty when absent.
    public var query: String
    public var headers: [HTTPHeader]
    public var body: [UInt8]
    /// Length the client declared (Content-Length), which may exceed `body.count` when the host cut it.
    public var declaredLength: Int?
    /// The TCP connection it came on, as the host numbers them (never reused); nil when unknown.
    /// ESP-IDF's provisioning transport ties a session to its socket until a cookie takes over.
    public var connection: UInt32?

    public init(method: HTTPMethod, path: String, query: String = "", headers: [HTTPHeader] = [],
                body: [UInt8] = [], declaredLength: Int? = nil, connection: UInt32? = nil) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.declaredLength = declaredLength
        self.connection = connection
    }

    /// First header value named `name`, compared ASCII case-insensitively.
    public func header(_ name: String) -> String? {
        for h in headers where asciiCaseInsensitiveEqual(h.name, name) { return h.value }
        return nil
    }

    /// The Host header without a port, lower-cased; nil when absent.
    public var host: String? {
        guard let raw = header("Host") else { return nil }
        var out: [UInt8] = []
        for c in raw.utf8 {
            if c == UInt8(ascii: ":") { break }
            out.append(asciiLower(c))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The body length the request claims: the declared length when given, else the bytes received.
    public var bodyLength: Int { max(declaredLength ?? 0, body.count) }
}

@inlinable
func asciiLower(_ c: UInt8) -> UInt8 {
    (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z")) ? c + 32 : c
}

/// ASCII case-insensitive comparison (header names, hostnames).
public func asciiCaseInsensitiveEqual(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    guard x.count == y.count else { return false }
    for i in 0..<x.count where asciiLower(x[i]) != asciiLower(y[i]) { return false }
    return true
}
