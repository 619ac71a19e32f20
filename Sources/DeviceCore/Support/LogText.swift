/// Text from outside (an SSID, a firmware version, a URL, an action name) made safe for one log
/// line: control characters are written as escapes, so a value cannot end the line and forge the
/// next one, or send a terminal escape sequence. Escaped: C0 controls (`\n`, `\r`, `\t`, others as
/// `\x1b`), DEL (`\x7f`), C1 controls, the Unicode line and paragraph separators and the bidi
/// embedding, override and isolate controls (as `\u0085`, `\u2028`, `\u202e`). Everything else,
/// backslashes included, is kept; text without any of these is returned as it is.
public func logEscaped(_ text: String) -> String {
    var needs = false
    for scalar in text.unicodeScalars where escapesInLogs(scalar.value) {
        needs = true
        break
    }
    guard needs else { return text }
    var out = ""
    for scalar in text.unicodeScalars {
        let v = scalar.value
        guard escapesInLogs(v) else {
            out.unicodeScalars.append(scalar)
            continue
        }
        switch v {
        case 0x0A: out += "\\n"
        case 0x0D: out += "\\r"
        case 0x09: out += "\\t"
        case 0..<0x80: out += "\\x" + hexString([UInt8(v)])
        default: out += "\\u" + hexString([UInt8(v >> 8), UInt8(v & 0xFF)])
        }
    }
    return out
}

/// Whether `logEscaped` writes this scalar as an escape.
func escapesInLogs(_ v: UInt32) -> Bool {
    v < 0x20 || (0x7F...0x9F).contains(v) || v == 0x2028 || v == 0x2029 || (0x202A...0x202E).contains(v)
        || (0x2066...0x2069).contains(v)
}

extension Action {
    /// The action with its log text escaped (`logEscaped`); other actions unchanged.
    var withEscapedLogText: Action {
        guard case .log(let level, let text) = self else { return self }
        return .log(level, logEscaped(text))
    }
}
