/// Little-endian reads over byte arrays, as ESP-IDF's on-flash structures are little-endian.
extension Array where Element == UInt8 {
    @inlinable
    func u16le(at offset: Int) -> UInt16 {
        UInt16(self[offset]) | (UInt16(self[offset + 1]) << 8)
    }

    @inlinable
    func u32le(at offset: Int) -> UInt32 {
        UInt32(self[offset]) | (UInt32(self[offset + 1]) << 8)
            | (UInt32(self[offset + 2]) << 16) | (UInt32(self[offset + 3]) << 24)
    }

    @inlinable
    mutating func appendLE(_ value: UInt32) {
        append(UInt8(truncatingIfNeeded: value))
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value >> 16))
        append(UInt8(truncatingIfNeeded: value >> 24))
    }
}

/// Lower-case hexadecimal text of bytes (digests, MACs).
public func hexString<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
    let digits: [UInt8] = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count * 2)
    for b in bytes {
        out.append(digits[Int(b >> 4)])
        out.append(digits[Int(b & 0x0F)])
    }
    return String(decoding: out, as: UTF8.self)
}

/// Parses hexadecimal text (either case) into bytes; nil on odd length or a non-hex character.
public func bytesFromHex(_ text: String) -> [UInt8]? {
    let utf8 = Array(text.utf8)
    guard utf8.count % 2 == 0 else { return nil }
    var out: [UInt8] = []
    out.reserveCapacity(utf8.count / 2)
    var i = 0
    while i < utf8.count {
        guard let hi = hexNibble(utf8[i]), let lo = hexNibble(utf8[i + 1]) else { return nil }
        out.append(hi << 4 | lo)
        i += 2
    }
    return out
}

@inlinable
func hexNibble(_ c: UInt8) -> UInt8? {
    switch c {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
    default: return nil
    }
}

/// Decimal text of a signed integer (Embedded-safe, no `description` formatting machinery needed).
/// Not inlined: it is called from dozens of error messages, and inlining it cost the chip image ~18 KB.
@inline(never)
public func decimal(_ value: Int64) -> String {
    if value == 0 { return "0" }
    var out: [UInt8] = []
    out.reserveCapacity(20)
    appendDecimal(value, to: &out)
    return String(decoding: out, as: UTF8.self)
}

/// Appends the decimal text of `value` (as `decimal(_:)` spells it) to `out` without building a
/// String: the heartbeat writer's hot path.
public func appendDecimal(_ value: Int64, to out: inout [UInt8]) {
    // Digits are written back to front into 24 bytes on the stack, then appended in one piece
    // (a status message has seven numbers; appending byte by byte checked the buffer each time).
    var v = value.magnitude
    var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
    withUnsafeMutableBytes(of: &digits) { p in
        var i = p.count
        repeat {
            i -= 1
            p[i] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: v % 10)
            v /= 10
        } while v > 0
        if value < 0 {
            i -= 1
            p[i] = UInt8(ascii: "-")
        }
        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: p[i...]))
    }
}
