import DeviceCore
import Yams

/// `topics:`, a group's `telemetry:` and `device_http:` — the shape of the backend's own side:
/// its topic layout, the telemetry it ingests, and how it reaches its devices.
enum BackendShapeSchema {
    static let topicKeys = ["prefix", "status", "ota", "logs"]
    static let telemetryKeys = ["name", "topic", "every", "qos", "retain", "payload"]

    /// `topics: {prefix: tenants/acme}` or `{status: "tenants/acme/{id}/state", ota: …, logs: …}`:
    /// templates with `{id}`, `{n}`, `{n:06}`, `{chip}`, `{group}`, `{mac}`. A key left out keeps
    /// `PREFIX/{id}/status` (`ota`, `logs`), `prefix` defaulting to `device`.
    static func topics(_ node: Node, file: String) throws(ScenarioError) -> TopicLayout {
        let map = try YAMLMapping(node, file: file, context: "topics", allowed: topicKeys)
        var layout = TopicLayout.default
        if map.has("prefix") {
            let text = try map.value("prefix") { r throws(ScenarioError) in try r.string() }
            do { layout = try TopicLayout(prefix: text) } catch {
                throw ScenarioError("'prefix' in topics " + error.message, at: map.position(of: "prefix").advanced(by: error.offset),
                                    key: "prefix")
            }
        }
        if map.has("status") { layout.status = try template(map, "status") }
        if map.has("ota") { layout.ota = try template(map, "ota") }
        if map.has("logs") { layout.logs = try template(map, "logs") }
        if let clash = layout.clash { throw ScenarioError("in topics, " + clash, at: map.position, key: "topics") }
        return layout
    }

    /// A topic template at `key`, its error pointing at the character that is wrong.
    static func template(_ map: YAMLMapping, _ key: String) throws(ScenarioError) -> TopicTemplate {
        let text = try map.value(key) { r throws(ScenarioError) in try r.string() }
        do { return try TopicTemplate(text) } catch {
            throw ScenarioError("'" + key + "' in " + map.context + " " + error.message,
                                at: valuePosition(map, key).advanced(by: error.offset), key: key)
        }
    }

    /// `telemetry: [{name, topic, every, qos: 0|1, retain: false, payload}]` of one group.
    static func telemetry(_ node: Node, file: String) throws(ScenarioError) -> [TelemetrySpec] {
        guard case .sequence(let items) = node else {
            throw ScenarioError("'telemetry' must be a list of streams", at: YAMLMapping.position(of: node, file: file), key: "telemetry")
        }
        var streams: [TelemetrySpec] = []
        for item in items {
            let map = try YAMLMapping(item, file: file, context: "telemetry stream", allowed: telemetryKeys)
            let topic = try template(map, "topic")
            let every = try map.value("every") { r throws(ScenarioError) in try r.duration(min: .milliseconds(10), max: .seconds(3600)) }
            let qos = try map.optional("qos") { r throws(ScenarioError) in try r.int(in: 0...2) } ?? 0
            let retain = try map.optional("retain") { r throws(ScenarioError) in try r.bool() } ?? false
            let payloadText = try map.optional("payload") { r throws(ScenarioError) in try r.string() }
                ?? FleetTelemetryStream.shorthandPayload(bytes: nil)
            let payload: TelemetryTemplate
            do {
                payload = try TelemetryTemplateText.compile(payloadText)
                _ = try TelemetryPayloadReader(payload)
            } catch {
                throw ScenarioError("'payload' in telemetry stream " + error.message,
                                    at: valuePosition(map, "payload").advanced(by: error.offset), key: "payload")
            }
            let name = try map.optional("name") { r throws(ScenarioError) in try r.string() } ?? topic.text
            if streams.contains(where: { $0.name == name }) {
                throw ScenarioError("two telemetry streams named '" + name + "' in one group; give them different 'name's",
                                    at: map.position, key: "name")
            }
            streams.append(TelemetrySpec(name: name, topic: topic, every: every, qos: qos, retain: retain, payloadText: payloadText,
                                         payload: payload, position: map.position))
        }
        return streams
    }

    /// `device_http: {port: 8080, pool: 127.20.0.0/16}` (both optional).
    static func deviceHTTP(_ node: Node, file: String) throws(ScenarioError) -> DeviceHTTPSettings {
        if case .scalar(let s) = node, s.string == "true" { return DeviceHTTPSettings() }
        let map = try YAMLMapping(node, file: file, context: "device_http", allowed: ["port", "pool"])
        let port = try map.optional("port") { r throws(ScenarioError) in try r.int(in: 1...65535) } ?? FleetDefaults.deviceHTTPPort
        let block = try map.optional("pool") { r throws(ScenarioError) -> UInt8 in
            guard let pool = LoopbackAddressPool(cidr: try r.string()) else { throw r.fail("must be 127.X.0.0/16 with X > 0") }
            return pool.block
        } ?? FleetDefaults.addressBlock
        return DeviceHTTPSettings(port: port, block: block)
    }

    /// The position of a value's first character (inside quotes for a quoted scalar).
    static func valuePosition(_ map: YAMLMapping, _ key: String) -> SourcePosition {
        let at = map.position(of: key)
        if case .scalar(let s)? = map.node(key), s.style == .singleQuoted || s.style == .doubleQuoted { return at.advanced(by: 1) }
        return at
    }

    /// Stream names must be unique across the fleet: the report lists streams by name.
    static func checkStreamNames(_ fleet: [FleetGroup]) throws(ScenarioError) {
        var seen: [String: String] = [:]
        for group in fleet {
            for stream in group.telemetry {
                if let other = seen[stream.name] {
                    throw ScenarioError("telemetry stream '" + stream.name + "' is in groups '" + other + "' and '" + group.name
                                        + "'; give one a different 'name'", at: stream.position, key: "name")
                }
                seen[stream.name] = group.name
            }
        }
    }
}
