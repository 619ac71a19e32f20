/// A topic template compiled for the observer: one entry per topic level, fixed or with
/// placeholders (then matched by its fixed prefix and suffix). It gives the subscription filter
/// (each level with a placeholder becomes `+`) and maps a received topic back to the device's
/// key without a regular expression: one pass over the topic's bytes, no allocation for keys of
/// up to 15 bytes.
///
/// The key is the text the placeholders filled, levels joined by `/`: the device id for
/// templates whose only placeholder is `{id}` (`device/{id}/status` → `esp32c6-000001`).
/// Two devices have the same key exactly when they have the same topic.
struct TopicPattern: Sendable, Equatable {
    enum Level: Sendable, Equatable {
        case fixed([UInt8])
        /// A level with placeholders: its fixed text before the first and after the last one.
        case variable(prefix: [UInt8], suffix: [UInt8])
    }

    let levels: [Level]
    /// The template it was compiled from.
    let template: String

    /// Compiles template text (placeholders in braces); braces are taken as placeholders whatever
    /// their name, so a template with `{group}` already filled in compiles to a narrower pattern.
    init(_ template: String) {
        self.template = template
        levels = template.split(separator: "/", omittingEmptySubsequences: false).map { level in
            guard let open = level.firstIndex(of: "{"), let close = level.lastIndex(of: "}") else {
                return .fixed(Array(level.utf8))
            }
            return .variable(prefix: Array(level[..<open].utf8), suffix: Array(level[level.index(after: close)...].utf8))
        }
    }

    init(_ template: TopicTemplate) { self.init(template.text) }

    /// The subscription filter: `tenants/acme/+/state`.
    var filter: String {
        levels.map { level -> String in
            if case .fixed(let bytes) = level { return String(decoding: bytes, as: UTF8.self) }
            return "+"
        }.joined(separator: "/")
    }

    /// Fixed bytes in the pattern: of two patterns that match a topic, the one with more is the more specific.
    var fixedBytes: Int {
        levels.reduce(0) { total, level in
            switch level {
            case .fixed(let b): return total + b.count
            case .variable(let p, let s): return total + p.count + s.count
            }
        }
    }

    /// The device key of `topic`, nil when the topic does not have this pattern's shape.
    func key(of topic: UnsafeBufferPointer<UInt8>) -> String? {
        var level = 0
        var start = 0
        var single: Range<Int>? = nil
        var joined: [UInt8]? = nil
        let n = topic.count
        var i = 0
        while i <= n {
            guard i == n || topic[i] == UInt8(ascii: "/") else {
                i += 1
                continue
            }
            guard level < levels.count else { return nil }
            let span = start..<i
            switch levels[level] {
            case .fixed(let bytes):
                guard span.count == bytes.count, topic[span].elementsEqual(bytes) else { return nil }
            case .variable(let prefix, let suffix):
                guard span.count > prefix.count + suffix.count,
                      topic[span].starts(with: prefix), topic[(i - suffix.count)..<i].elementsEqual(suffix) else { return nil }
                let captured = (start + prefix.count)..<(i - suffix.count)
                if let first = single {
                    if joined == nil { joined = Array(topic[first]) }
                    joined!.append(UInt8(ascii: "/"))
                    joined!.append(contentsOf: topic[captured])
                } else {
                    single = captured
                }
            }
            level += 1
            start = i + 1
            i += 1
        }
        guard level == levels.count, let single else { return nil }
        if let joined { return String(decoding: joined, as: UTF8.self) }
        return String(decoding: UnsafeBufferPointer(rebasing: topic[single]), as: UTF8.self)
    }

    /// The key of a topic given as text (the host side: a device's own resolved topic).
    func key(of topic: String) -> String? {
        var t = topic
        return t.withUTF8 { key(of: $0) }
    }
}
