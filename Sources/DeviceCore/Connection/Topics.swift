/// Topic templates; `{id}` is replaced by the device id.
public struct TopicTemplates: Equatable, Sendable {
    public var status: String
    public var ota: String
    public var logs: String

    public init(status: String = "device/{id}/status", ota: String = "device/{id}/ota",
                logs: String = "device/{id}/logs") {
        self.status = status
        self.ota = ota
        self.logs = logs
    }
}

/// The device's topics with `{id}` resolved.
public struct DeviceTopics: Equatable, Sendable {
    /// Published on every heartbeat, so resolved once.
    public let status: String
    /// Used once per connection (subscribe) and per command: resolved when asked, so a fleet of
    /// ten thousand devices does not hold twenty thousand topic strings.
    public var ota: String { resolveTopic(templates.ota, id: id) }
    /// Used only while logs are streamed; resolved when asked.
    public var logs: String { resolveTopic(templates.logs, id: id) }
    private let templates: TopicTemplates
    private let id: String

    init(_ templates: TopicTemplates, id: String) {
        status = resolveTopic(templates.status, id: id)
        self.templates = templates
        self.id = id
    }
}

/// `template` with every `{id}` replaced by `id`.
func resolveTopic(_ template: String, id: String) -> String {
    let t = Array(template.utf8)
    let marker: [UInt8] = Array("{id}".utf8)
    var out: [UInt8] = []
    var i = 0
    while i < t.count {
        if i + marker.count <= t.count && Array(t[i..<(i + marker.count)]) == marker {
            out.append(contentsOf: id.utf8)
            i += marker.count
        } else {
            out.append(t[i])
            i += 1
        }
    }
    return String(decoding: out, as: UTF8.self)
}
