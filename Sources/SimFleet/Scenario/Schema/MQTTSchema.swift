import DeviceCore
import Yams

/// `mqtt:` — the MQTT every device speaks: `{version: 3.1.1 | 5, clean_session, session_expiry,
/// message_expiry, keepalive}` (docs/scenarios.md).
enum MQTTSchema {
    static let keys = ["version", "clean_session", "session_expiry", "message_expiry", "keepalive"]

    static func parse(_ node: Node, file: String) throws(ScenarioError) -> (options: MQTTOptions, keepAlive: TimeSpan?) {
        let map = try YAMLMapping(node, file: file, context: "mqtt", allowed: keys)
        var options = MQTTOptions()
        if let text = try map.optional("version", { r throws(ScenarioError) in try r.string() }) {
            guard let version = MQTTOptions.version(text) else {
                throw ScenarioError("'version' in mqtt must be 3.1.1 or 5, found '" + text + "'", at: map.position(of: "version"),
                                    key: "version")
            }
            options.version = version
        }
        options.cleanSession = try map.optional("clean_session") { r throws(ScenarioError) in try r.bool() } ?? true
        for key in ["session_expiry", "message_expiry"] where map.has(key) && options.version != .v5 {
            throw ScenarioError("'" + key + "' in mqtt needs version: 5 (MQTT 3.1.1 has no such property)",
                                at: map.position(of: key), key: key)
        }
        func seconds(_ key: String) throws(ScenarioError) -> UInt32? {
            try map.optional(key) { r throws(ScenarioError) in
                UInt32(try r.duration(min: .seconds(1), max: .seconds(Int64(UInt32.max - 1))).microseconds / 1_000_000)
            }
        }
        options.sessionExpirySeconds = try seconds("session_expiry")
        options.messageExpirySeconds = try seconds("message_expiry")
        let keepAlive = try map.optional("keepalive") { r throws(ScenarioError) in
            try r.duration(within: FleetLimits.keepAlive)
        }
        return (options, keepAlive)
    }
}
