import DeviceCore
import Foundation
import Yams

/// Turns a scenario file into a validated `Scenario`: YAML is composed into nodes (which keep
/// their line and column), then every key is checked against the schema in docs/scenarios.md.
public enum ScenarioLoader {
    /// Largest scenario file accepted; scenarios are hand-written and small.
    public static let maxBytes = 1 << 20

    public static let topLevelKeys = ["name", "description", "seed", "duration", "backend", "fleet", "firmware",
                                      "timeline", "expect", "wifi", "mqtt", "topics", "device_http"]

    /// Reads and validates the file at `path` (the path is used as written in messages).
    public static func load(path: String) throws(ScenarioError) -> Scenario {
        let start = SourcePosition(file: path, line: 1, column: 1)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ScenarioError("cannot read the file", at: start)
        }
        return try parse(bytes: Array(data), file: path)
    }

    /// Validates scenario text; `file` names it in messages.
    public static func parse(bytes: [UInt8], file: String) throws(ScenarioError) -> Scenario {
        let start = SourcePosition(file: file, line: 1, column: 1)
        guard bytes.count <= maxBytes else { throw ScenarioError("file is larger than 1 MB", at: start) }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ScenarioError("file is not UTF-8 text", at: start)
        }
        let root: Node?
        do {
            // No tag resolution: the schema reads every scalar as text, and the default resolver's
            // rules are Foundation regular expressions compiled on first use.
            root = try Yams.compose(yaml: text, .basic)
        } catch let error as YamlError {
            throw yamlError(error, file: file)
        } catch {
            throw ScenarioError("cannot parse YAML: " + String(describing: error), at: start)
        }
        guard let root else { throw ScenarioError("the file is empty", at: start) }
        return try parse(root: root, file: file)
    }

    static func parse(root: Node, file: String) throws(ScenarioError) -> Scenario {
        let top = try YAMLMapping(root, file: file, context: "scenario", allowed: topLevelKeys)
        let name = try top.value("name") { r throws(ScenarioError) in try r.string() }
        let description = try top.optional("description") { r throws(ScenarioError) in try r.text() }
        let seed = try top.optional("seed") { r throws(ScenarioError) in try r.int(in: 0...Int.max) }.map(UInt64.init) ?? FleetDefaults.seed
        let duration = try top.value("duration") { r throws(ScenarioError) in
            try r.duration(within: FleetLimits.scenarioDuration)
        }
        let backend = try top.node("backend").map { n throws(ScenarioError) in try BackendSchema.parse(n, file: file) }
            ?? .embedded(EmbeddedBackend())
        let httpBackend = try BackendHTTPSchema.parse(top.node("backend"), file: file)
        let fleet = try FleetSchema.parse(try top.required("fleet"), file: file)
        let firmware = try top.node("firmware").map { n throws(ScenarioError) in
            try FirmwareSchema.parse(n, file: file, defaultChip: fleet[0].chip)
        } ?? []
        let wifi = try top.node("wifi").map { n throws(ScenarioError) in try WiFiSchema.parse(n, file: file) } ?? []
        let context = TimelineSchema.Context(file: file, fleet: fleet, firmware: firmware, backend: backend,
                                             duration: duration, wifi: wifi, manifest: httpBackend.manifest)
        let timeline = try top.node("timeline").map { n throws(ScenarioError) in try TimelineSchema.parse(n, context) } ?? []
        let expectations = try top.node("expect").map { n throws(ScenarioError) in try expectList(n, file: file) } ?? []
        var scenario = Scenario(name: name, description: description, seed: seed, duration: duration,
                                backend: backend, fleet: fleet, firmware: firmware, timeline: timeline,
                                expectations: expectations, file: file, wifi: wifi,
                                topics: try top.node("topics").map { n throws(ScenarioError) in try BackendShapeSchema.topics(n, file: file) } ?? .default,
                                deviceHTTP: try top.node("device_http").map { n throws(ScenarioError) in try BackendShapeSchema.deviceHTTP(n, file: file) })
        var result = scenario
        result.httpBackend = httpBackend
        if let mqttNode = top.node("mqtt") {
            (result.mqtt, result.keepAlive) = try MQTTSchema.parse(mqttNode, file: file)
        }
        result.sourceMap = SourceMap(root: root, file: file)
        try IDTemplate.checkUnique(result)
        return result
    }

    static func expectList(_ node: Node, file: String) throws(ScenarioError) -> [Expectation] {
        guard case .sequence(let items) = node else {
            throw ScenarioError("'expect' must be a list of expressions", at: YAMLMapping.position(of: node, file: file),
                                key: "expect")
        }
        var out: [Expectation] = []
        for item in items {
            let (text, at) = try expressionText(item, file: file, key: "expect")
            out.append(try ExpressionParser.expectation(text, at: at))
        }
        return out
    }

    /// The text of an expression scalar and the position of its first character (inside quotes).
    static func expressionText(_ node: Node, file: String, key: String) throws(ScenarioError) -> (String, SourcePosition) {
        let at = YAMLMapping.position(of: node, file: file)
        guard case .scalar(let scalar) = node else {
            throw ScenarioError("'" + key + "' must be an expression like delivery >= 100%, found "
                                + YAMLMapping.describe(node), at: at, key: key)
        }
        let quoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted
        return (scalar.string, quoted ? at.advanced(by: 1) : at)
    }

    static func yamlError(_ error: YamlError, file: String) -> ScenarioError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
             .composer(_, let problem, let mark, _):
            return ScenarioError("invalid YAML: " + problem, at: SourcePosition(file: file, line: mark.line, column: mark.column))
        default:
            return ScenarioError("invalid YAML: " + String(describing: error), at: SourcePosition(file: file, line: 1, column: 1))
        }
    }
}
