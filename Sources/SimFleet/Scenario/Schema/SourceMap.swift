import Yams

/// Where each value of a scenario is written, by its key path (`backend.tls.verify_hostname`,
/// `firmware[1].file`, `fleet[0].heartbeat`), so that a check made after loading (the plan's, the
/// runtime's, virtual time's) names the line and column of the value it concerns. A value a flag
/// set is found under its path as that flag (`SourcePosition.flag`).
public struct SourceMap: Equatable, Sendable {
    private var positions: [String: SourcePosition] = [:]

    /// Most positions kept: a file of aliases to aliases could otherwise make a walk of every node
    /// exponential; a path beyond them is found at its nearest recorded parent.
    static let capacity = 50_000

    /// An empty map (a scenario built in code): every path is found at the file's start.
    public init() {}

    /// Every key and list item under `root`, walked once when the file is loaded.
    init(root: Node, file: String) {
        var budget = SourceMap.capacity
        walk(root, path: "", file: file, budget: &budget)
    }

    /// A scenario that flags made: every path is at `position` until a flag says more.
    init(everything position: SourcePosition) { positions[""] = position }

    private mutating func walk(_ node: Node, path: String, file: String, budget: inout Int) {
        guard budget > 0 else { return }
        budget -= 1
        positions[path] = YAMLMapping.position(of: node, file: file)
        switch node {
        case .mapping(let mapping):
            for (key, value) in mapping {
                guard case .scalar(let name) = key else { continue }
                walk(value, path: path.isEmpty ? name.string : path + "." + name.string, file: file, budget: &budget)
            }
        case .sequence(let items):
            for (i, item) in items.enumerated() { walk(item, path: path + "[" + String(i) + "]", file: file, budget: &budget) }
        case .scalar:
            break
        }
    }

    /// The position of the value at `path`, else of its nearest recorded parent (`backend.tls`,
    /// `backend`, the file); nil when nothing is recorded (a scenario built in code).
    public func position(of path: String) -> SourcePosition? {
        var path = Substring(path)
        while true {
            if let p = positions[String(path)] { return p }
            if path.isEmpty { return nil }
            let cut = path.lastIndex { $0 == "." || $0 == "[" } ?? path.startIndex
            path = path[..<cut]
        }
    }

    /// `path` and everything under it now come from `position` (a flag replacing the file's value).
    public mutating func set(_ path: String, to position: SourcePosition) {
        positions = positions.filter { !($0.key.hasPrefix(path + ".") || $0.key.hasPrefix(path + "[")) }
        positions[path] = position
    }
}

extension Scenario {
    /// Where the value at `path` is written (see `SourceMap`): its line and column in the file, the
    /// flag that set it, or the file's start for a scenario built in code.
    public func position(of path: String) -> SourcePosition {
        sourceMap.position(of: path) ?? SourcePosition(file: file, line: 1, column: 1)
    }
}
