import Yams

/// Reads one YAML mapping of a scenario: rejects unknown and duplicate keys up front, then hands
/// out typed values, each error naming the file position and the key.
struct YAMLMapping {
    let file: String
    /// What this mapping is, for messages: "fleet group", "rollout step".
    let context: String
    let position: SourcePosition
    private var entries: [String: (key: Node, value: Node)] = [:]
    private(set) var orderedKeys: [String] = []

    init(_ node: Node, file: String, context: String, allowed: [String]) throws(ScenarioError) {
        self.file = file
        self.context = context
        self.position = YAMLMapping.position(of: node, file: file)
        guard case .mapping(let mapping) = node else {
            throw ScenarioError("expected a mapping for " + context + ", found " + YAMLMapping.describe(node),
                                at: position)
        }
        for (keyNode, value) in mapping {
            let keyPosition = YAMLMapping.position(of: keyNode, file: file)
            guard case .scalar(let scalar) = keyNode else {
                throw ScenarioError("keys of " + context + " must be plain words", at: keyPosition)
            }
            let key = scalar.string
            guard allowed.contains(key) else {
                throw ScenarioError("unknown key '" + key + "' in " + context + " (expected one of: "
                                    + allowed.joined(separator: ", ") + ")", at: keyPosition, key: key)
            }
            guard entries[key] == nil else {
                throw ScenarioError("duplicate key '" + key + "' in " + context, at: keyPosition, key: key)
            }
            entries[key] = (keyNode, value)
            orderedKeys.append(key)
        }
    }

    func has(_ key: String) -> Bool { entries[key] != nil }

    /// The value node of `key`, or nil when absent.
    func node(_ key: String) -> Node? { entries[key]?.value }

    /// Position of the value of `key` (of the mapping itself when absent).
    func position(of key: String) -> SourcePosition {
        guard let value = entries[key]?.value else { return position }
        return YAMLMapping.position(of: value, file: file)
    }

    /// The value of a key that must be present.
    func required(_ key: String) throws(ScenarioError) -> Node {
        guard let value = entries[key]?.value else {
            throw ScenarioError("missing key '" + key + "' in " + context, at: position, key: key)
        }
        return value
    }

    /// Parses the value of `key` with `parse` when present.
    func optional<T>(_ key: String, _ parse: (ScalarReader) throws(ScenarioError) -> T) throws(ScenarioError) -> T? {
        guard let value = entries[key]?.value else { return nil }
        return try parse(ScalarReader(node: value, key: key, context: context, file: file))
    }

    /// Parses the value of a key that must be present.
    func value<T>(_ key: String, _ parse: (ScalarReader) throws(ScenarioError) -> T) throws(ScenarioError) -> T {
        let node = try required(key)
        return try parse(ScalarReader(node: node, key: key, context: context, file: file))
    }

    static func position(of node: Node, file: String) -> SourcePosition {
        guard let mark = node.mark else { return SourcePosition(file: file, line: 1, column: 1) }
        return SourcePosition(file: file, line: mark.line, column: mark.column)
    }

    static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let s): return "'" + s.string + "'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        }
    }
}
