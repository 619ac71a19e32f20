/// A JSON document as DeviceCore sees it. Objects keep their members in order (what was sent is
/// what is written back), numbers keep their source text so no precision is lost.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object([JSONMember])

    /// The member named `key` of an object, nil for a missing key or a non-object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        for member in members where member.key == key { return member.value }
        return nil
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The value as a whole number, when it is a JSON number without fraction or exponent that fits.
    public var int64Value: Int64? {
        if case .number(let n) = self { return n.int64Value }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    public static func int(_ value: Int64) -> JSONValue { .number(JSONNumber(value)) }
    public static func int(_ value: Int) -> JSONValue { .number(JSONNumber(Int64(value))) }
}

/// One `"key": value` pair of a JSON object.
public struct JSONMember: Equatable, Sendable {
    public var key: String
    public var value: JSONValue

    public init(_ key: String, _ value: JSONValue) {
        self.key = key
        self.value = value
    }
}

/// A JSON number kept as its validated source text.
public struct JSONNumber: Equatable, Sendable {
    /// The number exactly as written (already validated against the JSON grammar).
    public let text: String

    public init(_ value: Int64) { self.text = decimal(value) }

    /// Wraps text that the reader has validated; not for arbitrary strings.
    init(validatedText: String) { self.text = validatedText }

    /// The whole-number value, nil for fractions, exponents or values outside Int64.
    public var int64Value: Int64? {
        var negative = false
        var result: Int64 = 0
        var first = true
        for c in text.utf8 {
            if first && c == UInt8(ascii: "-") {
                negative = true
                first = false
                continue
            }
            first = false
            guard c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") else { return nil }
            let digit = Int64(c - UInt8(ascii: "0"))
            let (m, o1) = result.multipliedReportingOverflow(by: 10)
            if o1 { return nil }
            let (s, o2) = negative ? m.subtractingReportingOverflow(digit) : m.addingReportingOverflow(digit)
            if o2 { return nil }
            result = s
        }
        return result
    }
}
