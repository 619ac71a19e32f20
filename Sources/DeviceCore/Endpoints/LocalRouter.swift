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
}

/// Where a request goes: to an endpoint handler, or straight back with an error response.
public enum LocalRoute: Equatable, Sendable {
    case endpoint(LocalEndpoint)
    case reject(HTTPResponse)
}

/// Matches a request against the route table: 404 for an unknown path, 405 (with `Allow`) for a
/// known path with another method, 413 when the body is over `bodyLimit`.
public struct LocalRouter: Sendable {
    /// Largest accepted body in bytes (`DeviceConfig.httpBodyLimit`).
    public var bodyLimit: Int

    /// A router refusing bodies over `bodyLimit` bytes.
    public init(bodyLimit: Int) { self.bodyLimit = bodyLimit }

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
        guard request.bodyLength <= bodyLimit else {
            return .reject(.error(413, "body larger than " + decimal(Int64(bodyLimit)) + " bytes"))
        }
        return .endpoint(endpoint)
    }
}
