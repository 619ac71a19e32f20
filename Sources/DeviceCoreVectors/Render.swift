import DeviceCore

/// Text renderings shared by the vectors: small, explicit, and free of `description` so that
/// they print the same on the host and under Embedded Swift.
func dec(_ v: Int) -> String { decimal(Int64(v)) }
func dec(_ v: Int64) -> String { decimal(v) }
/// Decimal text of an unsigned 64-bit value (random draws use the full range).
func dec(_ v: UInt64) -> String {
    if v == 0 { return "0" }
    var rest = v
    var digits: [UInt8] = []
    while rest > 0 {
        digits.append(UInt8(ascii: "0") + UInt8(rest % 10))
        rest /= 10
    }
    return String(decoding: digits.reversed(), as: UTF8.self)
}

/// Big-endian hex of a 64-bit value, 16 digits.
func hex64(_ v: UInt64) -> String {
    var bytes: [UInt8] = []
    var shift: UInt64 = 56
    while true {
        bytes.append(UInt8(truncatingIfNeeded: v >> shift))
        if shift == 0 { break }
        shift -= 8
    }
    return hexString(bytes)
}

func hex32(_ v: UInt32) -> String {
    hexString([UInt8(truncatingIfNeeded: v >> 24), UInt8(truncatingIfNeeded: v >> 16),
               UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)])
}

func hex16(_ v: UInt16) -> String { hexString([UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)]) }

func yesNo(_ b: Bool) -> String { b ? "true" : "false" }

func optional(_ s: String?) -> String { s ?? "nil" }

/// Joins rendered items with `sep`.
func joined(_ items: [String], _ sep: String) -> String {
    var out = ""
    var first = true
    for item in items {
        if !first { out += sep }
        first = false
        out += item
    }
    return out
}

/// `JSONValue` as a typed tree, e.g. `{version=s"1.2.0",size=n1024}`, so the vector shows what
/// the reader understood, not just that it re-encodes.
func renderTree(_ v: JSONValue) -> String {
    switch v {
    case .null: return "null"
    case .bool(let b): return yesNo(b)
    case .number(let n): return "n" + n.text
    case .string(let s): return "s" + JSONValue.string(s).encoded()
    case .array(let items):
        var parts: [String] = []
        for item in items { parts.append(renderTree(item)) }
        return "[" + joined(parts, ",") + "]"
    case .object(let members):
        var parts: [String] = []
        for m in members { parts.append(m.key + "=" + renderTree(m.value)) }
        return "{" + joined(parts, ",") + "}"
    }
}

func renderJSONError(_ e: JSONError) -> String {
    switch e {
    case .tooLarge: return "tooLarge: " + e.reason
    case .tooDeep: return "tooDeep: " + e.reason
    case .unexpectedEnd: return "unexpectedEnd: " + e.reason
    case .unexpectedByte(let b, _): return "unexpectedByte(0x" + hexString([b]) + "): " + e.reason
    case .invalidNumber: return "invalidNumber: " + e.reason
    case .invalidEscape: return "invalidEscape: " + e.reason
    case .invalidUTF8: return "invalidUTF8: " + e.reason
    case .controlCharacterInString: return "controlCharacterInString: " + e.reason
    case .duplicateKey: return "duplicateKey: " + e.reason
    case .trailingData: return "trailingData: " + e.reason
    }
}
