/// Text from outside (an SSID, a firmware version, a URL, an action name) made safe for one log
/// line: control characters are written as escapes, so a value cannot end the line and forge the
/// next one, or send a terminal escape sequence. Escaped: C0 controls (`\n`, `\r`, `\t`, others as
/// `\x1b`), DEL (`\x7f`), C1 controls, the Unicode line and paragraph separators and the bidi
/// embedding, override and isolate controls (as `\u0085`, `\u2028`, `\u202e`). Everything else,
/// backslashes included, is kept; text without any of these is returned as it is. Works on the
/// UTF-8 bytes (a Swift string's are always well formed): small code on the chip.
public func logEscaped(_ text: String) -> String {
    // Most lines have nothing to escape: look without copying (a native string's bytes are contiguous).
    let clean = text.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
        for c in bytes where c < 0x20 || c == 0x7F || c == 0xC2 || c == 0xE2 { return false }
        return true
    }
    if clean == true { return text }
    let utf8 = Array(text.utf8)
    guard logEscapeLength(utf8, at: 0, scanning: true) != nil else { return text }
    var out: [UInt8] = []
    out.reserveCapacity(utf8.count + 16)
    var i = 0
    while i < utf8.count {
        guard let n = logEscapeLength(utf8, at: i, scanning: false) else {
            out.append(utf8[i])
            i += 1
            continue
        }
        let scalar: UInt32
        switch n {
        case 1: scalar = UInt32(utf8[i])
        case 2: scalar = UInt32(utf8[i] & 0x1F) << 6 | UInt32(utf8[i + 1] & 0x3F)
        default: scalar = UInt32(utf8[i] & 0x0F) << 12 | UInt32(utf8[i + 1] & 0x3F) << 6 | UInt32(utf8[i + 2] & 0x3F)
        }
        out.append(0x5C)  // backslash
        switch scalar {
        case 0x0A: out.append(UInt8(ascii: "n"))
        case 0x0D: out.append(UInt8(ascii: "r"))
        case 0x09: out.append(UInt8(ascii: "t"))
        case 0..<0x80:
            out.append(UInt8(ascii: "x"))
            out.append(contentsOf: hexString([UInt8(scalar)]).utf8)
        default:
            out.append(UInt8(ascii: "u"))
            out.append(contentsOf: hexString([UInt8(scalar >> 8), UInt8(scalar & 0xFF)]).utf8)
        }
        i += n
    }
    return String(decoding: out, as: UTF8.self)
}

/// The UTF-8 length of the escaped character at `i`, nil when the byte there starts none. With
/// `scanning`, looks from `i` to the end and answers for the first one found.
private func logEscapeLength(_ b: [UInt8], at start: Int, scanning: Bool) -> Int? {
    var i = start
    while i < b.count {
        let c = b[i]
        if c < 0x20 || c == 0x7F { return 1 }
        // C1 controls U+0080…U+009F: C2 80…C2 9F.
        if c == 0xC2, i + 1 < b.count, b[i + 1] >= 0x80, b[i + 1] <= 0x9F { return 2 }
        // U+2028…U+202E (E2 80 A8…AE) and U+2066…U+2069 (E2 81 A6…A9).
        if c == 0xE2, i + 2 < b.count {
            let third = b[i + 2]
            if b[i + 1] == 0x80, third >= 0xA8, third <= 0xAE { return 3 }
            if b[i + 1] == 0x81, third >= 0xA6, third <= 0xA9 { return 3 }
        }
        if !scanning { return nil }
        i += 1
    }
    return nil
}

/// Escapes the text of every log action in `actions` (`logEscaped`). Kept out of line: it runs
/// only when a log line is there, and its frame stays off the path of every other event.
@inline(never)
func escapeLogText(_ actions: inout [Action]) {
    for i in actions.indices {
        if case .log(let level, let text) = actions[i] { actions[i] = .log(level, logEscaped(text)) }
    }
}
