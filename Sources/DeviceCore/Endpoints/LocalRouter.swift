/// The device's own web server API (`GET /info`, `POST /reboot`, ...), as the route table it serves.
public enum LocalEndpoint: Equatable, Sendable, CaseIterable {
    case version, info, scan, update, testUpdate, restart, reboot, resetWiFi

    /// The exact request path it answers, e.g. `/reset_wifi`.
    public var path: String {
        switch self {
        case .version: return "/version"
        case .info: return "/info"
        case .scan: return "/scan"
        case .update: return "/update"
        case .testUpdate: return "/test_update"
        case .restart: return "/restart"
        case .reboot: return "/reboot"
        case .resetWiFi: return "/reset_wifi"
        }
    }

    /// The one method each endpoint answers.
    public var method: HTTPMethod {
        switch self {
        case .version, .info, .scan: return .get
        case .update, .testUpdate, .restart, .reboot, .resetWiFi: return .post
        }
    }

    var methodName: String { method == .get ? "GET" : "POST" }

    /// Changes the device (restart, forget WiFi, install firmware): never served on the open
    /// provisioning access point, where anyone in radio range is a client.
    public var changesTheDevice: Bool { method == .post }

    /// Served without the local API token even when one is configured (harmless, used for discovery).
    public var isPublic: Bool { self == .version }
}

/// Where a request goes: to an endpoint handler, or straight back with an error response.
public enum LocalRoute: Equatable, Sendable {
    case endpoint(LocalEndpoint)
    case reject(HTTPResponse)
}

/// Matches a request against the route table and the device's rules for who may call what.
/// In order: 404 for an unknown path, 405 (with `Allow`) for a known path with another method, 403
/// for an endpoint that changes the device while it is the open provisioning access point, 401
/// (with `WWW-Authenticate: Bearer`) without the configured token, 413 when the body is over
/// `bodyLimit`, and 415 for a POST whose `Content-Type` is not `application/json`.
///
/// Why 415 for every POST, even those without a body: a web page on any site may send a browser
/// "simple request" to the device (a form, `text/plain`, or a `fetch` with no body and no type)
/// without asking first; `application/json` or an `Authorization` header make the browser send a
/// CORS preflight, which the device never answers with permission. So no page can restart the
/// device or start an update, whatever network the browser is on.
public struct LocalRouter: Sendable {
    /// Largest accepted body in bytes (`DeviceConfig.httpBodyLimit`).
    public var bodyLimit: Int
    /// `Authorization: Bearer <token>` every endpoint but `GET /version` requires; nil: none.
    public var token: String?
    /// The device is the open provisioning access point: endpoints that change it answer 403.
    public var onAccessPoint: Bool

    /// A router refusing bodies over `bodyLimit` bytes, requiring `token` when given, and keeping
    /// the endpoints that change the device off the access point when `onAccessPoint`.
    public init(bodyLimit: Int, token: String? = nil, onAccessPoint: Bool = false) {
        self.bodyLimit = bodyLimit
        self.token = token
        self.onAccessPoint = onAccessPoint
    }

    /// The endpoint for `request`, or the error response it gets.
    public func route(_ request: HTTPRequest) -> LocalRoute {
        var match: LocalEndpoint? = nil
        for endpoint in LocalEndpoint.allCases where endpoint.path == request.path { match = endpoint }
        guard let endpoint = match else { return .reject(.error(404, "no such endpoint")) }
        guard request.method == endpoint.method else {
            var response = HTTPResponse.error(405, "method not allowed")
            response.headers.append(HTTPHeader("Allow", endpoint.methodName))
            return .reject(response)
        }
        if onAccessPoint && endpoint.changesTheDevice {
            return .reject(.error(403, "not available on the provisioning access point"))
        }
        if let token, !endpoint.isPublic, !LocalRouter.bearer(request.header("Authorization"), matches: token) {
            var response = HTTPResponse.error(401, "unauthorized")
            response.headers.append(HTTPHeader("WWW-Authenticate", "Bearer"))
            return .reject(response)
        }
        guard request.bodyLength <= bodyLimit else {
            return .reject(.error(413, "body larger than " + decimal(Int64(bodyLimit)) + " bytes"))
        }
        if endpoint.method == .post && !LocalRouter.isJSON(request.header("Content-Type")) {
            return .reject(.error(415, "Content-Type must be application/json"))
        }
        return .endpoint(endpoint)
    }

    /// `application/json`, any case, with or without parameters (`; charset=utf-8`) and spaces.
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let expected: StaticString = "application/json"
        var matched = 0
        for c in contentType.utf8 {
            if c == UInt8(ascii: ";") { break }
            if c == 0x20 || c == 0x09 { continue }
            guard matched < expected.utf8CodeUnitCount, asciiLower(c) == expected.utf8Start[matched] else { return false }
            matched += 1
        }
        return matched == expected.utf8CodeUnitCount
    }

    /// `Bearer <token>` (scheme in any case) naming exactly `token`, compared in time that does not
    /// depend on where the first difference is.
    static func bearer(_ authorization: String?, matches token: String) -> Bool {
        guard let authorization else { return false }
        let given = Array(authorization.utf8), scheme = Array("bearer ".utf8), expected = Array(token.utf8)
        guard given.count == scheme.count + expected.count, !expected.isEmpty else { return false }
        for i in 0..<scheme.count where asciiLower(given[i]) != scheme[i] { return false }
        var difference: UInt8 = 0
        for i in 0..<expected.count { difference |= given[scheme.count + i] ^ expected[i] }
        return difference == 0
    }
}
