import DeviceCore

/// Device id templates: `{n}` / `{n:06}` (1-based index in the group), `{chip}`, `{group}`,
/// `{rand:N}` (N seeded hex digits, 4…16), `{mac}` (the device's seeded MAC, as the runtime derives it).
/// Ids must be unique across the fleet.
public enum IDTemplate {
    enum Token: Equatable {
        case text(String)
        case index(width: Int)
        case chip, group, mac
        case random(digits: Int)
    }

    static func tokens(_ template: String) -> (tokens: [Token], errorOffset: Int?, message: String?) {
        var out: [Token] = []
        var chars = Array(template)[...]
        var offset = 0
        while let first = chars.first {
            if first == "{" {
                guard let close = chars.firstIndex(of: "}") else { return (out, offset, "unclosed '{'") }
                let body = String(chars[chars.startIndex + 1..<close])
                let parts = body.split(separator: ":", maxSplits: 1).map(String.init)
                switch (parts.first ?? "", parts.count > 1 ? parts[1] : nil) {
                case ("n", nil): out.append(.index(width: 0))
                case ("n", let w?):
                    guard let width = Int(w), (1...12).contains(width) else { return (out, offset, "bad width '" + w + "' in {n:…}") }
                    out.append(.index(width: width))
                case ("chip", nil): out.append(.chip)
                case ("group", nil): out.append(.group)
                case ("mac", nil): out.append(.mac)
                case ("rand", let d?):
                    guard let digits = Int(d), (4...16).contains(digits) else { return (out, offset, "{rand:N} needs N from 4 to 16") }
                    out.append(.random(digits: digits))
                default:
                    return (out, offset, "unknown placeholder '{" + body + "}' (expected {n}, {n:06}, {chip}, {group}, {mac}, {rand:8})")
                }
                offset += close - chars.startIndex + 1
                chars = chars[(close + 1)...]
            } else {
                out.append(.text(String(first)))
                offset += 1
                chars = chars.dropFirst()
            }
        }
        return (out, nil, nil)
    }

    /// Checks placeholders; groups of more than one device need `{n}` or `{rand:…}`.
    static func validate(_ template: String, count: Int, at position: SourcePosition) throws(ScenarioError) {
        let parsed = tokens(template)
        if let message = parsed.message {
            throw ScenarioError("'id' template " + message, at: position.advanced(by: parsed.errorOffset ?? 0), key: "id")
        }
        let varies = parsed.tokens.contains { token in
            if case .index = token { return true }
            if case .random = token { return true }
            return token == .mac
        }
        if count > 1 && !varies {
            throw ScenarioError("'id' template gives every device the same id; add {n}", at: position, key: "id")
        }
        for token in parsed.tokens {
            if case .text(let t) = token, t == "/" || t == "+" || t == "#" {
                throw ScenarioError("'id' template must not contain '/', '+' or '#' (ids are MQTT topic levels)",
                                    at: position, key: "id")
            }
        }
    }

    /// The id of device `index` (0-based) of `group`.
    public static func render(_ template: String, index: Int, group: FleetGroup, seed: UInt64,
                              random: inout SeededRandom) -> String {
        var out = ""
        for token in tokens(template).tokens {
            switch token {
            case .text(let t): out += t
            case .chip: out += group.chip.idPrefix
            case .group: out += group.name
            case .mac: out += FleetConfiguration(idTemplate: "{mac}", seed: seed).deviceSpec(index).id
            case .index(let width):
                let digits = String(index + 1)
                out += String(repeating: "0", count: max(0, width - digits.count)) + digits
            case .random(let n):
                var hex = String(random.next(), radix: 16)
                hex = String(repeating: "0", count: max(0, 16 - hex.count)) + hex
                out += hex.prefix(n)
            }
        }
        return out
    }

    /// Fails validation when two devices of the fleet would share an id.
    static func checkUnique(_ scenario: Scenario) throws(ScenarioError) {
        var seen: [String: String] = [:]
        let plan = ScenarioPlan(scenario)
        for device in plan.devices {
            if let other = seen[device.id] {
                let group = scenario.fleet.firstIndex { $0.name == device.group } ?? 0
                let at = scenario.position(of: "fleet[" + String(group) + "].id")
                throw ScenarioError("device id '" + device.id + "' occurs in groups '" + other + "' and '" + device.group
                                    + "'; give the groups different id templates", at: at, key: "id")
            }
            seen[device.id] = device.group
        }
    }
}
