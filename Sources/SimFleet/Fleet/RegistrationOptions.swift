import DeviceCore

/// How devices register with the backend's API at first boot (`POST {api}{path}`): the body and
/// header templates, retries of 5xx answers and transport errors with capped exponential backoff
/// and full jitter (as firmware would), and the request's bounds. Part of `FleetConfiguration`.
///
/// Templates take `{id}`, `{n}`, `{mac}` (12 hex digits), `{chip}` and `{fw}` (the running version)
/// per device; `{env:NAME}` is replaced once, before the run (`resolvingEnvironment`).
public struct RegistrationOptions: Sendable, Equatable {
    /// Appended to the API base URL.
    public var path = "/devices/register"
    /// The request body; values put into it are JSON-escaped when the content type is JSON.
    public var body = #"{"device_code":"{id}"}"#
    /// Extra request headers, `Name: value` (`Authorization: Bearer {env:TOKEN}`). A `Content-Type`
    /// here replaces the default `application/json`.
    public var headers: [String] = []
    /// Further attempts after a failed one (5xx, 408, 429 or a transport error); 0: one try.
    public var retries = 3
    /// Backoff before retry n: uniform up to min(cap, base·2ⁿ⁻¹) (full jitter).
    public var backoffBase = TimeSpan.seconds(1)
    public var backoffCap = TimeSpan.seconds(30)
    /// Longest one attempt may take, seconds.
    public var timeoutSeconds = 10
    /// Largest answer body read (the first KB is kept for messages, the rest only counted).
    public var maxAnswerBytes = 64 * 1024

    public init() {}

    /// The templates with every `{env:NAME}` replaced; throws the name of a variable that is not set.
    public func resolvingEnvironment(_ environment: [String: String]) throws(MissingEnvironment) -> RegistrationOptions {
        var o = self
        o.body = try Self.expandEnvironment(body, environment)
        o.headers = try headers.map { h throws(MissingEnvironment) in try Self.expandEnvironment(h, environment) }
        return o
    }

    /// A template named `{env:NAME}` and `NAME` is not set.
    public struct MissingEnvironment: Error, Equatable { public var name: String }

    static func expandEnvironment(_ template: String, _ environment: [String: String]) throws(MissingEnvironment) -> String {
        var out = ""
        var rest = Substring(template)
        while let open = rest.firstRange(of: "{env:") {
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else { break }
            let name = String(rest[open.upperBound..<close])
            guard let value = environment[name] else { throw MissingEnvironment(name: name) }
            out += rest[..<open.lowerBound] + value
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    /// Whether the request body is JSON (the default content type, or a JSON `Content-Type` header).
    var sendsJSON: Bool {
        guard let type = headers.first(where: { $0.lowercased().hasPrefix("content-type:") }) else { return true }
        return type.lowercased().contains("json")
    }

    /// The request headers: the templates expanded, and `Content-Type: application/json` unless given.
    func headerLines(_ fields: RegistrationFields) -> [String] {
        let lines = headers.map { fields.expand($0, escapeJSON: false) }
        return lines.contains { $0.lowercased().hasPrefix("content-type:") } ? lines : ["Content-Type: application/json"] + lines
    }

    var backoff: Backoff { Backoff(base: backoffBase, cap: backoffCap, floor: .milliseconds(10)) }
    var limits: HTTPLimits { HTTPLimits(maxBody: maxAnswerBytes, timeoutSeconds: max(1, timeoutSeconds)) }
}

/// One device's values for the registration templates.
struct RegistrationFields {
    var id: String
    var n: Int
    var mac: String
    var chip: String
    var firmware: String

    /// Replaces `{id}` `{n}` `{mac}` `{chip}` `{fw}`; other braces stay as written.
    func expand(_ template: String, escapeJSON: Bool) -> String {
        var out = ""
        var rest = Substring(template)
        // The innermost `{…}` before each `}`: JSON bodies have braces of their own around placeholders.
        while let close = rest.firstIndex(of: "}") {
            guard let open = rest[..<close].lastIndex(of: "{") else {
                out += rest[...close]
                rest = rest[rest.index(after: close)...]
                continue
            }
            out += rest[..<open]
            let value: String?
            switch rest[rest.index(after: open)..<close] {
            case "id": value = id
            case "n": value = String(n)
            case "mac": value = mac
            case "chip": value = chip
            case "fw": value = firmware
            default: value = nil
            }
            if let value { out += escapeJSON ? RegistrationFields.jsonEscaped(value) : value } else { out += rest[open...close] }
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    /// `value` as the inside of a JSON string.
    static func jsonEscaped(_ value: String) -> String {
        var bytes: [UInt8] = []
        writeJSONString(value, to: &bytes)
        return String(decoding: bytes.dropFirst().dropLast(), as: UTF8.self)
    }
}

/// Where one device's registration stands. Retries wait on the device host's own timer.
enum RegistrationState: Equatable {
    /// Not asked yet (the device has not powered on).
    case unregistered
    /// Attempt `attempt` (1-based) is on the wire.
    case awaitingAnswer(attempt: Int)
    /// Attempt `attempt` failed and may be retried; the next one starts at `at`.
    case awaitingRetry(attempt: Int, at: Instant)
    case registered
    /// Refused, or out of retries.
    case failed

    /// The state after attempt `attempt` came to `exchange`: registered on 2xx; a retry after a 5xx,
    /// 408, 429 or transport error while retries remain (delay drawn by `backoff` with full jitter);
    /// failed otherwise (a 4xx or 3xx answer will not change by asking again).
    static func after(_ exchange: HTTPExchange, attempt: Int, retries: Int, backoff: Backoff, now: Instant,
                      random: inout SeededRandom) -> RegistrationState {
        if exchange.succeeded { return .registered }
        let retryable: Bool
        if let error = exchange.error {
            retryable = error != .badURL && error != .tooLarge
        } else {
            retryable = exchange.status >= 500 || exchange.status == 408 || exchange.status == 429 || exchange.status == 0
        }
        guard retryable, attempt <= retries else { return .failed }
        return .awaitingRetry(attempt: attempt, at: now + backoff.delay(afterFailures: attempt - 1, using: &random))
    }
}
