import DeviceCore

/// Compiles a payload template as users write it into DeviceCore's `TelemetryTemplate`:
/// fixed text with generators in braces — `{seq}`, `{ts}`, `{uptime}`, `{id}`, `{int:0:100}`,
/// `{float:20:25:2}`, `{gauss:21.5:0.3}`, `{walk:20:0.1}`, `{choice:a|b|c}`, `{pad:512}`.
/// Braces that do not enclose a bare word (JSON's `{"t":…}`) are text; a bare word that names no
/// generator is an error, so a typo never turns silently into text.
public enum TelemetryTemplateText {
    public static func compile(_ text: String) throws(TelemetryTemplateTextError) -> TelemetryTemplate {
        guard !text.isEmpty else { throw TelemetryTemplateTextError("is empty", offset: 0) }
        var parts: [TelemetryPart] = []
        var literal: [UInt8] = []
        var walks = 0
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            if chars[i] == "{", let close = chars[(i + 1)...].firstIndex(of: "}"), isGenerator(chars[(i + 1)..<close]) {
                let body = String(chars[(i + 1)..<close])
                if !literal.isEmpty { parts.append(.text(literal)); literal = [] }
                parts.append(try generator(body, walks: &walks, offset: i))
                i = close + 1
            } else {
                literal.append(contentsOf: String(chars[i]).utf8)
                i += 1
            }
        }
        if !literal.isEmpty { parts.append(.text(literal)) }
        do {
            return try TelemetryTemplate(parts: parts)
        } catch {
            switch error {
            case .severalPads: throw TelemetryTemplateTextError("has more than one {pad:N}", offset: 0)
            case .tooLong: throw TelemetryTemplateTextError("describes more than " + String(TelemetryTemplate.maxBytes) + " bytes", offset: 0)
            case .outOfRange(let what): throw TelemetryTemplateTextError("{" + what + "}: arguments out of range", offset: 0)
            case .walkSlotsOutOfOrder: throw TelemetryTemplateTextError("random walks out of order", offset: 0)
            }
        }
    }

    /// The generators, for messages.
    public static let names = "{seq}, {ts}, {uptime}, {id}, {int:LO:HI}, {float:LO:HI:D}, {gauss:MEAN:SD:D}, {walk:START:STEP:D}, {choice:a|b}, {pad:N}"

    /// A bare word, optionally followed by `:` and arguments: `seq`, `int:0:100` (a JSON object
    /// starts with a quote or a space, never with a letter).
    private static func isGenerator(_ body: ArraySlice<Character>) -> Bool {
        guard let first = body.first, first.isLetter, first.isASCII else { return false }
        let word = body.prefix { $0 != ":" }
        return word.allSatisfy { ($0.isLetter || $0.isNumber || $0 == "_") && $0.isASCII }
    }

    private static func generator(_ body: String, walks: inout Int, offset: Int) throws(TelemetryTemplateTextError) -> TelemetryPart {
        let pieces = body.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let name = String(pieces[0])
        let args = pieces.count > 1 ? String(pieces[1]).split(separator: ":", omittingEmptySubsequences: false).map(String.init) : []
        func fail(_ why: String) -> TelemetryTemplateTextError {
            TelemetryTemplateTextError("{" + body + "}: " + why, offset: offset)
        }
        func number(_ text: String) throws(TelemetryTemplateTextError) -> Double {
            guard let v = Double(text), v.isFinite, !text.hasPrefix("+") else { throw fail("'" + text + "' is not a number") }
            return v
        }
        /// `text` in units of the last of `decimals` decimals (the device's fixed point); a deviation
        /// or step (`spread`) must be ≥ 0 and not vanish at that precision.
        func fixed(_ text: String, _ decimals: Int, spread: Bool = false) throws(TelemetryTemplateTextError) -> Int64 {
            let v = try number(text)
            var scale = 1.0
            for _ in 0..<decimals { scale *= 10 }
            let scaled = (v * scale).rounded()
            let limit = Double(spread ? TelemetryTemplate.maxDeviation : TelemetryTemplate.maxMagnitude - 1)
            guard abs(scaled) <= limit else {
                throw fail("'" + text + "' is too large (at most ±" + String(Int64(limit / scale)) + " with " + String(decimals) + " decimals)")
            }
            if spread {
                guard v >= 0 else { throw fail("'" + text + "' must be ≥ 0") }
                guard v == 0 || scaled >= 1 else {
                    throw fail("'" + text + "' is below the last of " + String(decimals) + " decimals; give more decimals")
                }
            }
            return Int64(scaled)
        }
        func decimals(_ index: Int) throws(TelemetryTemplateTextError) -> Int {
            guard args.count > index else { return 2 }
            guard let d = Int(args[index]), (0...6).contains(d) else { throw fail("decimals must be 0…6, found '" + args[index] + "'") }
            return d
        }
        func arity(_ range: ClosedRange<Int>) throws(TelemetryTemplateTextError) {
            guard range.contains(args.count) else {
                throw fail(range.lowerBound == range.upperBound
                           ? "takes " + String(range.lowerBound) + " arguments" : "takes " + String(range.lowerBound) + " or " + String(range.upperBound) + " arguments")
            }
        }
        switch name {
        case "seq", "ts", "uptime", "id":
            guard args.isEmpty else { throw fail("takes no arguments") }
            return name == "seq" ? .seq : name == "ts" ? .timestamp : name == "uptime" ? .uptime : .deviceID
        case "int":
            try arity(2...2)
            guard let lo = Int64(args[0]), let hi = Int64(args[1]) else { throw fail("bounds must be whole numbers") }
            guard lo <= hi else { throw fail("the lower bound is above the upper one") }
            return .integer(lower: lo, upper: hi)
        case "float":
            try arity(2...3)
            let d = try decimals(2)
            let lo = try fixed(args[0], d), hi = try fixed(args[1], d)
            guard lo <= hi else { throw fail("the lower bound is above the upper one") }
            return .uniform(lower: lo, upper: hi, decimals: d)
        case "gauss":
            try arity(2...3)
            let d = try decimals(2)
            let mean = try fixed(args[0], d), sd = try fixed(args[1], d, spread: true)
            return .gauss(mean: mean, deviation: sd, decimals: d)
        case "walk":
            try arity(2...3)
            let d = try decimals(2)
            let start = try fixed(args[0], d), step = try fixed(args[1], d, spread: true)
            defer { walks += 1 }
            return .walk(start: start, step: step, decimals: d, slot: walks)
        case "choice":
            guard pieces.count > 1 else { throw fail("needs options: {choice:a|b|c}") }
            let options = String(pieces[1]).split(separator: "|", omittingEmptySubsequences: false).map { Array($0.utf8) }
            guard options.allSatisfy({ !$0.isEmpty }) else { throw fail("an option is empty") }
            return .choice(options)
        case "pad":
            try arity(1...1)
            guard let n = Int(args[0]), (1...TelemetryTemplate.maxBytes).contains(n) else {
                throw fail("the size must be 1…" + String(TelemetryTemplate.maxBytes))
            }
            return .pad(total: n)
        default:
            throw fail("unknown generator (expected " + names + ")")
        }
    }
}

/// What is wrong with a payload template, and where (characters from its start).
public struct TelemetryTemplateTextError: Error, Sendable, Equatable {
    public var message: String
    public var offset: Int

    public init(_ message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }
}
