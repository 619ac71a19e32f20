import DeviceCore

/// The device web server's request and response values: header lookup, Host parsing and the
/// canned responses the local endpoints and the captive portal send.
func httpVectors(_ emit: (String, String) -> Void) {
    let request = HTTPRequest(method: HTTPMethod("POST"), path: "/update", query: "force=1",
                              headers: [HTTPHeader("HOST", "ESP32C6-00A1.local:8080"),
                                        HTTPHeader("content-type", "application/json")],
                              body: Array(#"{"url":"x"}"#.utf8), declaredLength: 4096)
    var parts: [String] = []
    parts.append(optional(request.host))
    parts.append(optional(request.header("Content-Type")))
    parts.append(optional(request.header("X-Missing")))
    parts.append(dec(request.bodyLength))
    parts.append(yesNo(request.method == .post))
    parts.append(yesNo(HTTPMethod("PATCH") == .other("PATCH")))
    parts.append(yesNo(asciiCaseInsensitiveEqual("Content-Length", "content-LENGTH")))
    parts.append(yesNo(asciiCaseInsensitiveEqual("Host", "Hosts")))
    emit("http.request", joined(parts, " "))

    var responses: [String] = []
    responses.append(renderResponse(.json(200, .object([JSONMember("version", .string("1.2.0"))]))))
    responses.append(renderResponse(.error(413, "body larger than 4096 bytes")))
    responses.append(renderResponse(.redirect("http://192.168.4.1/")))
    responses.append(renderResponse(.text(200, "ok")))
    responses.append(renderResponse(.html(200, "<p>hi</p>")))
    emit("http.responses", joined(responses, "\n"))
}
