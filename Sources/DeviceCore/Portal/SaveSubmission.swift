/// The `ssid`/`password` pair of a `POST /save`, decoded from a form or a JSON body.
struct SaveSubmission {
    var ssid: String
    var password: String
    /// The client spoke JSON and wants JSON back.
    var json: Bool

    init(_ request: HTTPRequest, maxBytes: Int) throws(ProvisioningError) {
        guard request.bodyLength <= maxBytes else { throw .bodyTooLarge(limit: maxBytes) }
        let type = SaveSubmission.mediaType(request)
        if type == "application/json" {
            let value: JSONValue
            do { value = try JSONReader(maxBytes: maxBytes, maxDepth: 4).parse(request.body) } catch { throw .malformedJSON(error) }
            ssid = try SaveSubmission.text(value, "ssid") ?? ""
            password = try SaveSubmission.text(value, "password") ?? ""
            json = true
        } else if type == "application/x-www-form-urlencoded" || type.isEmpty {
            let form: FormFields
            do { form = try FormFields(decoding: request.body, maxBytes: maxBytes) } catch { throw .malformedForm(error) }
            ssid = form["ssid"] ?? ""
            password = form["password"] ?? ""
            json = false
        } else {
            throw .unsupportedContentType(type)
        }
    }

    static func isJSON(_ request: HTTPRequest) -> Bool { mediaType(request) == "application/json" }

    /// The Content-Type without parameters, lower-cased; empty when absent.
    static func mediaType(_ request: HTTPRequest) -> String {
        guard let raw = request.header("Content-Type") else { return "" }
        var out: [UInt8] = []
        for c in raw.utf8 {
            if c == UInt8(ascii: ";") { break }
            if c != UInt8(ascii: " ") { out.append(asciiLower(c)) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func text(_ object: JSONValue, _ key: String) throws(ProvisioningError) -> String? {
        guard let v = object[key] else { return nil }
        guard let s = v.stringValue else { throw .fieldNotText(key) }
        return s
    }
}
