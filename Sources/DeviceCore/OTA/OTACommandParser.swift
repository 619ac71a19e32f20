/// Why an OTA command, an update request body or a manifest was refused. Nothing changes on the
/// device when one of these is thrown.
public enum OTACommandError: Error, Equatable, Sendable {
    case malformedJSON(JSONError)
    case notAnObject
    case missingField(String)
    /// The field is there but has the wrong JSON type (e.g. `"size":"12"`).
    case wrongType(field: String)
    /// The URL is empty or not `http://` / `https://`.
    case unsupportedURL(String)
    /// `sha256` is not 64 hexadecimal characters.
    case badSHA256
    case negativeSize
    /// `{"action": ...}` with something other than `check`.
    case unknownAction(String)

    /// Machine-readable kind for reports (`malformed_json`, `missing_field`, `wrong_type`, …).
    public var kind: String {
        switch self {
        case .malformedJSON: return "malformed_json"
        case .notAnObject: return "not_an_object"
        case .missingField: return "missing_field"
        case .wrongType: return "wrong_type"
        case .unsupportedURL: return "unsupported_url"
        case .badSHA256: return "bad_sha256"
        case .negativeSize: return "negative_size"
        case .unknownAction: return "unknown_action"
        }
    }

    /// A short human-readable reason, for logs and HTTP 400 bodies.
    public var reason: String {
        switch self {
        case .malformedJSON(let e): return "malformed JSON: " + e.reason
        case .notAnObject: return "expected a JSON object"
        case .missingField(let name): return "missing \"" + name + "\""
        case .wrongType(let name): return "\"" + name + "\" has the wrong type"
        case .unsupportedURL: return "url must start with http:// or https://"
        case .badSHA256: return "sha256 must be 64 hexadecimal characters"
        case .negativeSize: return "size must not be negative"
        case .unknownAction(let a): return "unknown action \"" + a + "\""
        }
    }
}

/// Parses what arrives from outside to start an update: MQTT commands on `device/{id}/ota`, the
/// bodies of `POST /update` and `POST /test_update`, and the backend's manifest. Input is bytes,
/// bounded by `maxBytes`; every refusal is a typed `OTACommandError`.
public struct OTACommandParser: Sendable {
    /// Inputs longer than this are refused before parsing.
    public var maxBytes: Int

    /// A parser for inputs of at most `maxBytes` bytes.
    public init(maxBytes: Int = 4096) { self.maxBytes = maxBytes }

    /// `{"version","url","sha256"?,"size"?}` → `.install`, `{"action":"check"}` → `.checkManifest`.
    public func command(_ bytes: [UInt8], origin: OTAOrigin = .mqttCommand,
                        force: Bool = false) throws(OTACommandError) -> OTACommand {
        let object = try parseObject(bytes)
        if let action = object["action"] {
            guard let name = action.stringValue else { throw .wrongType(field: "action") }
            guard name == "check" else { throw .unknownAction(name) }
            return .checkManifest
        }
        return .install(try request(in: object, origin: origin, force: force))
    }

    /// An install request only (no `action`): the body of `POST /test_update`.
    public func installRequest(_ bytes: [UInt8], origin: OTAOrigin, force: Bool) throws(OTACommandError) -> OTARequest {
        try request(in: try parseObject(bytes), origin: origin, force: force)
    }

    /// The reference backend's manifest, `{"version","firmware_url","released","notes"}`.
    public func manifest(_ bytes: [UInt8]) throws(OTACommandError) -> FirmwareManifest {
        let object = try parseObject(bytes)
        let version = try requiredString(object, "version")
        let url = try requiredString(object, "firmware_url")
        try checkURL(url)
        return FirmwareManifest(version: version, firmwareURL: url,
                                released: try optionalString(object, "released"),
                                notes: try optionalString(object, "notes"))
    }

    private func request(in object: JSONValue, origin: OTAOrigin, force: Bool) throws(OTACommandError) -> OTARequest {
        let url = try requiredString(object, "url")
        try checkURL(url)
        let version = try optionalString(object, "version")
        var digest: [UInt8]? = nil
        if let text = try optionalString(object, "sha256") {
            guard text.utf8.count == 64, let bytes = bytesFromHex(text) else { throw .badSHA256 }
            digest = bytes
        }
        var size: Int? = nil
        if let value = object["size"], !value.isNull {
            guard let n = value.int64Value else { throw .wrongType(field: "size") }
            guard n >= 0 else { throw .negativeSize }
            guard n <= Int64(Int32.max) else { throw .wrongType(field: "size") }
            size = Int(n)
        }
        return OTARequest(url: url, version: version, sha256: digest, size: size, force: force, origin: origin)
    }

    private func parseObject(_ bytes: [UInt8]) throws(OTACommandError) -> JSONValue {
        let value: JSONValue
        do {
            value = try JSONReader(maxBytes: maxBytes, maxDepth: 8).parse(bytes)
        } catch {
            throw .malformedJSON(error)
        }
        guard case .object = value else { throw .notAnObject }
        return value
    }

    private func requiredString(_ object: JSONValue, _ key: String) throws(OTACommandError) -> String {
        guard let value = object[key], !value.isNull else { throw .missingField(key) }
        guard let text = value.stringValue else { throw .wrongType(field: key) }
        return text
    }

    private func optionalString(_ object: JSONValue, _ key: String) throws(OTACommandError) -> String? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let text = value.stringValue else { throw .wrongType(field: key) }
        return text
    }

    private func checkURL(_ url: String) throws(OTACommandError) {
        guard hasPrefix(url, "http://") || hasPrefix(url, "https://"), url.utf8.count > 8 else {
            throw .unsupportedURL(url)
        }
    }
}

/// What the backend's manifest says is the current release.
public struct FirmwareManifest: Equatable, Sendable {
    /// The release name as published, possibly with a leading `v` (`v2025.03.25.155052`).
    public var version: String
    public var firmwareURL: String
    public var released: String?
    public var notes: String?

    public init(version: String, firmwareURL: String, released: String? = nil, notes: String? = nil) {
        self.version = version
        self.firmwareURL = firmwareURL
        self.released = released
        self.notes = notes
    }

    /// `version` without a leading `v`/`V`, the form compared with the running firmware's version.
    public var bareVersion: String { stripVersionPrefix(version) }

    /// The install request this manifest stands for.
    public func request(force: Bool = false) -> OTARequest {
        OTARequest(url: firmwareURL, version: version, force: force, origin: .manifest)
    }
}

/// `v1.2.0` → `1.2.0`; anything else unchanged.
public func stripVersionPrefix(_ version: String) -> String {
    let bytes = Array(version.utf8)
    guard let first = bytes.first, first == UInt8(ascii: "v") || first == UInt8(ascii: "V") else { return version }
    return String(decoding: bytes[1...], as: UTF8.self)
}

func hasPrefix(_ text: String, _ prefix: String) -> Bool {
    let t = Array(text.utf8), p = Array(prefix.utf8)
    return t.count >= p.count && Array(t[0..<p.count]) == p
}
