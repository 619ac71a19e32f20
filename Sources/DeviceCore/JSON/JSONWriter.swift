/// Compact JSON encoding (no spaces), the form devices put on the wire.
extension JSONValue {
    /// UTF-8 bytes of this value as compact JSON.
    public func encodedBytes() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128)
        write(to: &out)
        return out
    }

    /// This value as a compact JSON string.
    public func encoded() -> String {
        String(decoding: encodedBytes(), as: UTF8.self)
    }

    func write(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let n): out.append(contentsOf: n.text.utf8)
        case .string(let s): writeJSONString(s, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            var first = true
            for item in items {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                item.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            var first = true
            for m in members {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                writeJSONString(m.key, to: &out)
                out.append(UInt8(ascii: ":"))
                m.value.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }
}

/// Appends `s` as a quoted JSON string, escaping quotes, backslashes and control characters.
public func writeJSONString(_ s: String, to out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    // Nearly every string (ids, versions, state names) needs no escape: copy it in one piece.
    let copied: Bool? = s.utf8.withContiguousStorageIfAvailable { bytes in
        for c in bytes where c < 0x20 || c == 0x22 || c == 0x5C || c == 0x7F { return false }
        out.append(contentsOf: bytes)
        return true
    }
    if copied == true {
        out.append(UInt8(ascii: "\""))
        return
    }
    for c in s.utf8 {
        switch c {
        case 0x22: out.append(0x5C); out.append(0x22)
        case 0x5C: out.append(0x5C); out.append(0x5C)
        case 0x0A: out.append(0x5C); out.append(UInt8(ascii: "n"))
        case 0x0D: out.append(0x5C); out.append(UInt8(ascii: "r"))
        case 0x09: out.append(0x5C); out.append(UInt8(ascii: "t"))
        case 0x00..<0x20, 0x7F:
            out.append(contentsOf: "\\u00".utf8)
            out.append(lowerHexDigit(c >> 4))
            out.append(lowerHexDigit(c & 0x0F))
        default: out.append(c)
        }
    }
    out.append(UInt8(ascii: "\""))
}

/// `0`–`9`, `a`–`f` for a nibble (no lookup table to allocate per call).
@inline(__always)
func lowerHexDigit(_ nibble: UInt8) -> UInt8 {
    nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
}
