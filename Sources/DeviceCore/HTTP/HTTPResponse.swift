/// A response the device's web server sends back; the host only serialises it.
public struct HTTPResponse: Equatable, Sendable {
    public var status: Int
    public var headers: [HTTPHeader]
    public var body: [UInt8]

    public init(status: Int, headers: [HTTPHeader] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON response (`application/json`).
    public static func json(_ status: Int, _ value: JSONValue) -> HTTPResponse {
        HTTPResponse(status: status, headers: [HTTPHeader("Content-Type", "application/json")],
                     body: value.encodedBytes())
    }

    /// A JSON error body `{"error": reason}` with the given status.
    public static func error(_ status: Int, _ reason: String) -> HTTPResponse {
        json(status, .object([JSONMember("error", .string(reason))]))
    }

    /// An HTML page (`text/html; charset=utf-8`).
    public static func html(_ status: Int, _ page: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: [HTTPHeader("Content-Type", "text/html; charset=utf-8")],
                     body: Array(page.utf8))
    }

    /// Plain text (`text/plain; charset=utf-8`).
    public static func text(_ status: Int, _ text: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: [HTTPHeader("Content-Type", "text/plain; charset=utf-8")],
                     body: Array(text.utf8))
    }

    /// A 302 redirect to `location`.
    public static func redirect(_ location: String) -> HTTPResponse {
        HTTPResponse(status: 302, headers: [HTTPHeader("Location", location),
                                             HTTPHeader("Cache-Control", "no-store")])
    }

    /// First header value named `name` (ASCII case-insensitive).
    public func header(_ name: String) -> String? {
        for h in headers where asciiCaseInsensitiveEqual(h.name, name) { return h.value }
        return nil
    }
}
