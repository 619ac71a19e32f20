/// Why a JSON text was refused. Offsets are byte offsets into the input.
public enum JSONError: Error, Equatable, Sendable {
    case tooLarge(limit: Int)
    case tooDeep(limit: Int)
    case unexpectedEnd
    case unexpectedByte(UInt8, offset: Int)
    case invalidNumber(offset: Int)
    case invalidEscape(offset: Int)
    case invalidUTF8(offset: Int)
    case controlCharacterInString(offset: Int)
    case duplicateKey(String)
    case trailingData(offset: Int)
}

extension JSONError {
    /// A short human-readable reason, for logs and HTTP 400 bodies.
    public var reason: String {
        switch self {
        case .tooLarge(let limit): return "body larger than " + decimal(Int64(limit)) + " bytes"
        case .tooDeep(let limit): return "nesting deeper than " + decimal(Int64(limit))
        case .unexpectedEnd: return "unexpected end of JSON"
        case .unexpectedByte(_, let offset): return "unexpected character at offset " + decimal(Int64(offset))
        case .invalidNumber(let offset): return "invalid number at offset " + decimal(Int64(offset))
        case .invalidEscape(let offset): return "invalid escape at offset " + decimal(Int64(offset))
        case .invalidUTF8(let offset): return "invalid UTF-8 at offset " + decimal(Int64(offset))
        case .controlCharacterInString(let offset): return "control character in string at offset " + decimal(Int64(offset))
        case .duplicateKey(let key): return "duplicate key \"" + key + "\""
        case .trailingData(let offset): return "trailing data at offset " + decimal(Int64(offset))
        }
    }
}
