/// Why `POST /save` was refused. The portal answers 400 (413 for size) naming the problem;
/// no case ever carries the password.
public enum ProvisioningError: Error, Equatable, Sendable {
    case bodyTooLarge(limit: Int)
    case unsupportedContentType(String)
    case malformedForm(FormError)
    case malformedJSON(JSONError)
    /// A JSON body whose `ssid`/`password` member is not a string.
    case fieldNotText(String)
    case missingSSID
    case ssidTooLong(bytes: Int)
    case passwordTooShort(characters: Int)
    case passwordTooLong(characters: Int)
    /// WPA2 passphrases are printable ASCII (IEEE 802.11 Annex J).
    case passwordNotPrintableASCII
    /// The network was scanned as secured but no password was given.
    case passwordRequired(ssid: String)

    /// The HTTP status this error is answered with.
    public var status: Int {
        switch self {
        case .bodyTooLarge: return 413
        case .unsupportedContentType: return 415
        default: return 400
        }
    }

    /// A short human-readable reason (plain text; escape it before putting it into HTML).
    public var reason: String {
        switch self {
        case .bodyTooLarge(let limit): return "request body larger than " + decimal(Int64(limit)) + " bytes"
        case .unsupportedContentType(let type):
            return "unsupported content type \"" + type + "\" (use application/x-www-form-urlencoded or application/json)"
        case .malformedForm(let e): return e.reason
        case .malformedJSON(let e): return e.reason
        case .fieldNotText(let name): return "field \"" + name + "\" must be a string"
        case .missingSSID: return "network name (SSID) is missing"
        case .ssidTooLong(let bytes):
            return "network name (SSID) is " + decimal(Int64(bytes)) + " bytes; at most 32 are allowed"
        case .passwordTooShort(let n):
            return "password is " + decimal(Int64(n)) + " characters; WPA2 needs 8 to 63 (or none for an open network)"
        case .passwordTooLong(let n):
            return "password is " + decimal(Int64(n)) + " characters; WPA2 allows at most 63"
        case .passwordNotPrintableASCII: return "password may only contain printable ASCII characters"
        case .passwordRequired(let ssid): return "network \"" + ssid + "\" is secured; a password is required"
        }
    }

    /// A stable machine-readable code for JSON replies.
    public var code: String {
        switch self {
        case .bodyTooLarge: return "body_too_large"
        case .unsupportedContentType: return "unsupported_content_type"
        case .malformedForm: return "malformed_form"
        case .malformedJSON: return "malformed_json"
        case .fieldNotText: return "field_not_text"
        case .missingSSID: return "missing_ssid"
        case .ssidTooLong: return "ssid_too_long"
        case .passwordTooShort: return "password_too_short"
        case .passwordTooLong: return "password_too_long"
        case .passwordNotPrintableASCII: return "password_not_printable"
        case .passwordRequired: return "password_required"
        }
    }
}
