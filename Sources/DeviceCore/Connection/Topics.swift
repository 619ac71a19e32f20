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
    /// Published on every heartbeat; resolved when asked, so a fleet of ten thousand devices
    /// does not hold ten thousand status topics (building one per heartbeat costs a string).
    public var status: String { resolveTopic(templates.status, id: id) }
    /// Used once per connection (subscribe) and per command: resolved when asked.
    public var ota: String { resolveTopic(templates.ota, id: id) }
    /// Used only while logs are streamed; resolved when asked.
    public var logs: String { resolveTopic(templates.logs, id: id) }
    private let templates: TopicTemplates
    private let id: String

    init(_ templates: TopicTemplates, id: String) {
        self.templates = templates
        self.id = id
    }
}

/// `template` with every `{id}` replaced by `id`. Allocates the result only: the status topic is
/// built on every heartbeat.
func resolveTopic(_ template: String, id: String) -> String {
    let marker: StaticString = "{id}"
    var out: [UInt8] = []
    out.reserveCapacity(template.utf8.count + id.utf8.count)
    var matched = 0  // how many leading bytes of `marker` the bytes just read are
    for c in template.utf8 {
        if c == marker.utf8Start[matched] {
            matched += 1
            if matched == marker.utf8CodeUnitCount {
                out.append(contentsOf: id.utf8)
                matched = 0
            }
            continue
        }
        // A partial match ends: its bytes were text. `{` is the marker's only start, so the byte
        // that broke it either starts a new match or is text.
        for k in 0..<matched { out.append(marker.utf8Start[k]) }
        matched = c == marker.utf8Start[0] ? 1 : 0
        if matched == 0 { out.append(c) }
    }
    for k in 0..<matched { out.append(marker.utf8Start[k]) }
    return String(decoding: out, as: UTF8.self)
}
