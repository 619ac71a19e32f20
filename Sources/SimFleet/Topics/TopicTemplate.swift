import DeviceCore

/// A topic template as a user writes it (`tenants/acme/{id}/state`): fixed text and the same
/// placeholders as device ids — `{id}`, `{n}`, `{n:06}`, `{chip}`, `{group}`, `{mac}` — checked
/// once and kept as tokens, so resolving it for a device is a concatenation.
public struct TopicTemplate: Sendable, Equatable, CustomStringConvertible {
    enum Token: Sendable, Equatable {
        case text(String)
        case id
        case index(width: Int)
        case chip, group, mac
    }

    /// The template as written.
    public let text: String
    let tokens: [Token]

    /// Checks `text`: known placeholders only, no `+` or `#`, no empty topic level, and something
    /// that differs between devices (`{id}`, `{n}` or `{mac}`) unless `perDevice` is false.
    public init(_ text: String, perDevice: Bool = true) throws(TopicTemplateError) {
        guard !text.isEmpty else { throw TopicTemplateError("is empty", offset: 0) }
        guard text.utf8.count <= 512 else { throw TopicTemplateError("is longer than 512 bytes", offset: 0) }
        var tokens: [Token] = []
        var literal = ""
        var chars = Array(text)[...]
        var offset = 0
        while let first = chars.first {
            if first == "{" {
                guard let close = chars.firstIndex(of: "}") else { throw TopicTemplateError("has an unclosed '{'", offset: offset) }
                let body = String(chars[(chars.startIndex + 1)..<close])
                let token: Token
                switch body {
                case "id": token = .id
                case "n": token = .index(width: 0)
                case "chip": token = .chip
                case "group": token = .group
                case "mac": token = .mac
                default:
                    guard body.hasPrefix("n:"), let width = Int(body.dropFirst(2)), (1...12).contains(width) else {
                        throw TopicTemplateError("has an unknown placeholder '{" + body + "}' (expected {id}, {n}, {n:06}, {chip}, {group}, {mac})",
                                                 offset: offset)
                    }
                    token = .index(width: width)
                }
                if !literal.isEmpty { tokens.append(.text(literal)); literal = "" }
                tokens.append(token)
                offset += close - chars.startIndex + 1
                chars = chars[(close + 1)...]
            } else {
                guard first != "+" && first != "#" && first != "}" && first != "\0" else {
                    throw TopicTemplateError("must not contain '" + String(first) + "' (a topic, not a filter)", offset: offset)
                }
                literal.append(first)
                offset += 1
                chars = chars.dropFirst()
            }
        }
        if !literal.isEmpty { tokens.append(.text(literal)) }
        self.text = text
        self.tokens = tokens
        if text.split(separator: "/", omittingEmptySubsequences: false).contains(where: \.isEmpty) {
            throw TopicTemplateError("has an empty topic level ('//' or a '/' at either end)", offset: 0)
        }
        if perDevice && !tokens.contains(where: { $0 == .id || $0 == .mac || $0.isIndex }) {
            throw TopicTemplateError("is the same for every device; add {id}", offset: 0)
        }
    }

    public var description: String { text }

    /// Whether resolving it needs more than the device id and its group (`{n}`, `{mac}`): such a
    /// template is a different string for every device of a group.
    var variesWithinGroup: Bool { tokens.contains { $0 == .mac || $0.isIndex } }

    /// The template with every placeholder but `{id}` replaced (`{id}` is the device's to fill).
    func expandingFleetPlaceholders(_ p: TopicPlaceholders) -> String {
        guard tokens.contains(where: { $0 != .id && !$0.isText }) else { return text }
        return render(p, id: "{id}")
    }

    /// The template with only `{group}` and `{chip}` replaced: what one group's devices share.
    func expandingGroup(_ group: String, chip: String) -> String {
        var out = ""
        for token in tokens {
            switch token {
            case .group: out += group
            case .chip: out += chip
            default: out += token.source
            }
        }
        return out
    }

    /// The topic of the device `p` names.
    public func resolve(_ p: TopicPlaceholders) -> String { render(p, id: p.id) }

    private func render(_ p: TopicPlaceholders, id: String) -> String {
        var out = ""
        for token in tokens {
            switch token {
            case .text(let t): out += t
            case .id: out += id
            case .index(let width):
                let digits = String(p.n)
                out += String(repeating: "0", count: max(0, width - digits.count)) + digits
            case .chip: out += p.chip
            case .group: out += p.group
            case .mac: out += p.mac
            }
        }
        return out
    }
}

extension TopicTemplate.Token {
    var isIndex: Bool {
        if case .index = self { return true }
        return false
    }

    var isText: Bool {
        if case .text = self { return true }
        return false
    }

    /// The token as written in a template.
    var source: String {
        switch self {
        case .text(let t): return t
        case .id: return "{id}"
        case .index(let width): return width == 0 ? "{n}" : "{n:0" + String(width) + "}"
        case .chip: return "{chip}"
        case .group: return "{group}"
        case .mac: return "{mac}"
        }
    }
}

/// What is wrong with a topic template, and where (characters from its start).
public struct TopicTemplateError: Error, Sendable, Equatable {
    public var message: String
    public var offset: Int

    public init(_ message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }
}

/// The values a template's placeholders take for one device.
public struct TopicPlaceholders: Sendable, Equatable {
    public var id: String
    /// 1-based position in the device's group.
    public var n: Int
    /// The chip prefix (`esp32c6`).
    public var chip: String
    public var group: String
    /// The MAC as 12 lower-case hex digits.
    public var mac: String

    public init(id: String, n: Int, chip: String, group: String, mac: String) {
        self.id = id
        self.n = n
        self.chip = chip
        self.group = group
        self.mac = mac
    }
}
