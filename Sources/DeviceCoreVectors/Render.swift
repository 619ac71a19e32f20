import DeviceCore

/// Text renderings shared by the vectors: small, explicit, and free of `description` so that
/// they print the same on the host and under Embedded Swift.
func dec(_ v: Int) -> String { decimal(Int64(v)) }
func dec(_ v: Int64) -> String { decimal(v) }
/// Decimal text of an unsigned 64-bit value (random draws use the full range).
func dec(_ v: UInt64) -> String {
    if v == 0 { return "0" }
    var rest = v
    var digits: [UInt8] = []
    while rest > 0 {
        digits.append(UInt8(ascii: "0") + UInt8(rest % 10))
        rest /= 10
    }
    return String(decoding: digits.reversed(), as: UTF8.self)
}

/// Big-endian hex of a 64-bit value, 16 digits.
func hex64(_ v: UInt64) -> String {
    var bytes: [UInt8] = []
    var shift: UInt64 = 56
    while true {
        bytes.append(UInt8(truncatingIfNeeded: v >> shift))
        if shift == 0 { break }
        shift -= 8
    }
    return hexString(bytes)
}

func hex32(_ v: UInt32) -> String {
    hexString([UInt8(truncatingIfNeeded: v >> 24), UInt8(truncatingIfNeeded: v >> 16),
               UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)])
}

func hex16(_ v: UInt16) -> String { hexString([UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)]) }

func yesNo(_ b: Bool) -> String { b ? "true" : "false" }

func optional(_ s: String?) -> String { s ?? "nil" }

/// Joins rendered items with `sep`.
func joined(_ items: [String], _ sep: String) -> String {
    var out = ""
    var first = true
    for item in items {
        if !first { out += sep }
        first = false
        out += item
    }
    return out
}

/// `JSONValue` as a typed tree, e.g. `{version=s"1.2.0",size=n1024}`, so the vector shows what
/// the reader understood, not just that it re-encodes.
func renderTree(_ v: JSONValue) -> String {
    switch v {
    case .null: return "null"
    case .bool(let b): return yesNo(b)
    case .number(let n): return "n" + n.text
    case .string(let s): return "s" + JSONValue.string(s).encoded()
    case .array(let items):
        var parts: [String] = []
        for item in items { parts.append(renderTree(item)) }
        return "[" + joined(parts, ",") + "]"
    case .object(let members):
        var parts: [String] = []
        for m in members { parts.append(m.key + "=" + renderTree(m.value)) }
        return "{" + joined(parts, ",") + "}"
    }
}

func renderJSONError(_ e: JSONError) -> String {
    switch e {
    case .tooLarge: return "tooLarge: " + e.reason
    case .tooDeep: return "tooDeep: " + e.reason
    case .unexpectedEnd: return "unexpectedEnd: " + e.reason
    case .unexpectedByte(let b, _): return "unexpectedByte(0x" + hexString([b]) + "): " + e.reason
    case .invalidNumber: return "invalidNumber: " + e.reason
    case .invalidEscape: return "invalidEscape: " + e.reason
    case .invalidUTF8: return "invalidUTF8: " + e.reason
    case .controlCharacterInString: return "controlCharacterInString: " + e.reason
    case .duplicateKey: return "duplicateKey: " + e.reason
    case .trailingData: return "trailingData: " + e.reason
    }
}

func renderHeaders(_ headers: [HTTPHeader]) -> String {
    var parts: [String] = []
    for h in headers { parts.append(h.name + "=" + h.value) }
    return joined(parts, ";")
}

/// A response; bodies over 400 bytes (portal pages) as their length and SHA-256, which pins every byte.
func renderResponse(_ r: HTTPResponse) -> String {
    dec(r.status) + " [" + renderHeaders(r.headers) + "] " + renderBody(r.body)
}

func renderBody(_ body: [UInt8]) -> String {
    if body.count <= 400 { return String(decoding: body, as: UTF8.self) }
    return "<" + dec(body.count) + " bytes sha256=" + hexString(SoftwareSHA256.hash(body[...])) + ">"
}

/// One action as text. Written as a chain of `if case` so that a case added to `Action` later
/// renders as `unrendered action` here instead of breaking every build that includes the vectors.
func renderAction(_ action: Action) -> String {
    if case .wifiConnect(let ssid, let password) = action { return "wifi.connect " + ssid + " / " + password }
    if case .wifiDisconnect = action { return "wifi.disconnect" }
    if case .wifiScan = action { return "wifi.scan" }
    if case .startAccessPoint(let ssid, let address) = action { return "ap.start " + ssid + " " + address.text }
    if case .stopAccessPoint = action { return "ap.stop" }
    if case .mqttConnect(let o) = action {
        return "mqtt.connect client=" + o.clientID + " user=" + optional(o.username) + " keepalive="
            + dec(o.keepAliveSeconds) + " will=" + (o.will.map(renderPublish) ?? "nil")
    }
    if case .mqttDisconnect = action { return "mqtt.disconnect" }
    if case .mqttSubscribe(let topic, let qos) = action { return "mqtt.subscribe " + topic + " qos" + dec(qos) }
    if case .mqttPublish(let p) = action { return "mqtt.publish " + renderPublish(p) }
    if case .httpRespond(let id, let response) = action { return "http.respond #" + dec(Int64(id)) + " " + renderResponse(response) }
    if case .dnsRespond(let id, let reply) = action {
        return "dns.respond #" + dec(Int64(id)) + " " + (reply.map { hexString($0) } ?? "drop")
    }
    if case .startDownload(let url, let rangeStart) = action { return "download.start " + url + " from " + dec(rangeStart) }
    if case .cancelDownload = action { return "download.cancel" }
    if case .flash(let op) = action {
        switch op {
        case .erase(let offset, let length): return "flash.erase 0x" + hex32(UInt32(truncatingIfNeeded: offset)) + " +" + dec(length)
        case .write(let offset, let bytes):
            return "flash.write 0x" + hex32(UInt32(truncatingIfNeeded: offset)) + " " + dec(bytes.count) + "B sha256="
                + hexString(SoftwareSHA256.hash(bytes[...]))
        }
    }
    if case .burnSecureVersion(let v) = action { return "efuse.burn-secure-version " + dec(Int64(v)) }
    if case .reboot(let reason) = action { return "reboot " + reason.name }
    if case .log(let level, let text) = action { return "log " + level.letter + " " + text }
    return "unrendered action"
}

func renderPublish(_ p: MQTTPublish) -> String {
    p.topic + " qos" + dec(p.qos) + (p.retain ? " retained" : "") + (p.messageID.map { " id=" + dec($0) } ?? "")
        + " " + String(decoding: p.payload, as: UTF8.self)
}

/// Actions one per line, indented under their step.
func renderActions(_ actions: [Action]) -> String {
    var out = ""
    for a in actions { out += "\n  " + renderAction(a) }
    return out
}
