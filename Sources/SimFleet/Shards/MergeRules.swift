import DeviceCore

/// How each key of shard reports combines into the merged report (docs/report-format.md, "Merging
/// shard reports"). Keys nobody listed here merge by shape, so sections added later merge sensibly
/// without a change here: numbers add, objects merge key by key, lists of strings unite, lists of
/// objects concatenate, equal strings stay. A few name patterns are not counts and are never added:
/// times (`…_s`, `…_ms`) take the largest, `max`/`min` the largest/smallest, and percentiles and
/// ratios (`p50`…, `mean`, `delivery`, `…_ratio`, `…_fraction`) cannot be rebuilt from parts, so
/// they become null unless the merge recomputes them (latency from the encoded histograms,
/// `messages.delivery` from the sums).
enum MergeRule: Equatable {
    /// Add numbers; the default.
    case sum
    /// Every shard must say the same (checked before merging); keep the first.
    case same
    /// Keep the first shard's value (configuration echoed in each report).
    case first
    case maximum
    case minimum
    /// Cannot be rebuilt from the parts: null, unless recomputed afterwards.
    case unmergeable
    /// Built after the generic merge from the whole (latency, time series, timeline, verdict…).
    case recomputed

    /// Rules by exact path; `*` matches one segment. Checked before the name patterns.
    static let byPath: [(pattern: [String], rule: MergeRule)] = [
        (["format"], .same), (["simfleet_version"], .same), (["scenario"], .same), (["seed"], .same),
        (["started_at"], .minimum), (["duration_s"], .recomputed),
        (["backend"], .first), (["fleet_shape"], .first),
        (["messages", "delivery"], .recomputed),
        (["messages", "lost_detail"], .recomputed), (["devices", "failed_detail"], .recomputed),
        (["devices", "observed"], .recomputed), (["devices", "observed_ids"], .recomputed),
        (["latency", "hdr"], .recomputed), (["latency", "e2e_histogram"], .recomputed), (["http", "*", "hdr"], .recomputed),
        (["simulator", "timer_tick_ms"], .first), (["simulator", "fd_limit"], .minimum),
        (["timeseries"], .recomputed), (["timeline"], .recomputed),
        (["shard"], .recomputed), (["merged"], .recomputed),
        (["expectations"], .recomputed), (["passed"], .recomputed),
    ]

    /// The rule for the value at `path`.
    static func rule(for path: [String]) -> MergeRule {
        for entry in byPath where matches(entry.pattern, path) { return entry.rule }
        guard let key = path.last else { return .sum }
        if key == "max" { return .maximum }
        if key == "min" { return .minimum }
        let stem = String(key.split(separator: "_").first ?? Substring(key))  // `p99_ms` is a percentile too
        if key == "mean" || key == "delivery" || isPercentile(stem) || key.hasSuffix("_ratio") || key.hasSuffix("_fraction") {
            return .unmergeable
        }
        if key.hasSuffix("_s") || key.hasSuffix("_ms") { return .maximum }
        return .sum
    }

    static func matches(_ pattern: [String], _ path: [String]) -> Bool {
        pattern.count == path.count && zip(pattern, path).allSatisfy { $0 == "*" || $0 == $1 }
    }

    /// `p50`, `p99`, `p999`… (also as the stem of `p99_ms`)
    static func isPercentile(_ key: String) -> Bool {
        key.count >= 2 && key.first == "p" && key.dropFirst().allSatisfy(\.isNumber)
    }
}

/// Shape-driven merging of two report values under the rules.
enum ShapeMerge {
    /// Combines `a` (the shards so far) and `b` (the next shard) at `path`; `unmergeable` collects
    /// the paths that became null.
    static func merge(_ a: ReportJSON, _ b: ReportJSON, at path: [String], unmergeable: inout Set<String>) -> ReportJSON {
        let rule = MergeRule.rule(for: path)
        switch rule {
        case .same, .first, .recomputed:
            return a
        case .unmergeable:
            unmergeable.insert(path.joined(separator: "."))
            return .null
        case .maximum, .minimum, .sum:
            break
        }
        switch (a, b) {
        case (.null, .null): return .null
        case (.null, _), (_, .null):
            // A time or extreme some shard did not measure is not known for the whole run.
            if rule != .sum { return .null }
            if case .null = a { return b }
            return a
        case (.object(let x), .object(let y)):
            var out = x
            for (key, value) in y {
                if let i = out.firstIndex(where: { $0.0 == key }) {
                    out[i].1 = merge(out[i].1, value, at: path + [key], unmergeable: &unmergeable)
                } else {
                    out.append((key, value))
                }
            }
            // Keys only the first shards had keep their value; a rule may still blank them.
            for (i, member) in out.enumerated() where MergeRule.rule(for: path + [member.0]) == .unmergeable {
                unmergeable.insert((path + [member.0]).joined(separator: "."))
                out[i].1 = .null
            }
            return .object(out)
        case (.array(let x), .array(let y)):
            if (x + y).allSatisfy({ if case .string = $0 { return true } else { return false } }) {
                var seen = Set<String>()
                let strings = (x + y).compactMap { v -> String? in if case .string(let s) = v { return s } else { return nil } }
                return .array(strings.filter { seen.insert($0).inserted }.sorted().map { .string($0) })
            }
            return .array(x + y)
        default:
            break
        }
        if let u = a.number, let v = b.number {
            let value: Double
            switch rule {
            case .maximum: value = max(u, v)
            case .minimum: value = min(u, v)
            default: value = u + v
            }
            if case .int = a, case .int = b { return .int(Int(value)) }
            return .double(value)
        }
        if case .string(let s) = a, case .string(let t) = b, rule == .minimum || rule == .maximum {
            return .string(rule == .minimum ? min(s, t) : max(s, t))
        }
        return a  // strings and booleans: the first shard's (equal in practice)
    }
}

extension ReportJSON {
    /// The number, for ints and doubles.
    var number: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    /// The member named `key` of an object.
    subscript(key: String) -> ReportJSON? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    /// Sets (or appends) the member `key` of an object; other values are left alone.
    mutating func set(_ key: String, _ value: ReportJSON) {
        guard case .object(var members) = self else { return }
        if let i = members.firstIndex(where: { $0.0 == key }) { members[i].1 = value } else { members.append((key, value)) }
        self = .object(members)
    }

    /// Sets the value at `path` inside nested objects (missing objects are not created).
    mutating func set(path: [String], _ value: ReportJSON) {
        guard let first = path.first else { self = value; return }
        if path.count == 1 { set(first, value); return }
        guard var child = self[first] else { return }
        child.set(path: Array(path.dropFirst()), value)
        set(first, child)
    }

    /// A report value read back from a parsed report.
    init(_ value: JSONValue) {
        switch value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .string(let s): self = .string(s)
        case .number(let n):
            if let i = n.int64Value { self = .int(Int(i)) } else { self = .double(Double(n.text) ?? 0) }
        case .array(let items): self = .array(items.map(ReportJSON.init))
        case .object(let members): self = .object(members.map { ($0.key, ReportJSON($0.value)) })
        }
    }
}
