import DeviceCore

/// Renderings of what the device asks its host to do: actions, publishes, HTTP responses.
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
