/// Why an `application/x-www-form-urlencoded` body was refused. Offsets are byte offsets.
public enum FormError: Error, Equatable, Sendable {
    case tooLarge(limit: Int)
    case tooManyFields(limit: Int)
    /// `%` not followed by two hexadecimal digits.
    case invalidPercentEscape(offset: Int)
    /// A decoded name or value is not well-formed UTF-8.
    case invalidUTF8(offset: Int)
    case duplicateField(String)

    /// A short human-readable reason for a 400 page.
    public var reason: String {
        switch self {
        case .tooLarge(let limit): return "form larger than " + decimal(Int64(limit)) + " bytes"
        case .tooManyFields(let limit): return "more than " + decimal(Int64(limit)) + " form fields"
        case .invalidPercentEscape(let offset): return "invalid %-escape at offset " + decimal(Int64(offset))
        case .invalidUTF8(let offset): return "invalid UTF-8 in form field at offset " + decimal(Int64(offset))
        case .duplicateField(let name): return "form field \"" + name + "\" given twice"
        }
    }
}

/// A decoded form body: ordered fields, each name at most once.
public struct FormFields: Equatable, Sendable {
    /// Name/value pairs in body order, percent- and plus-decoded.
    public var fields: [(name: String, value: String)]

    /// Decodes `name=value&...` (`+` is a space, `%XX` a byte) within `maxBytes` and `maxFields`.
    public init(decoding body: [UInt8], maxBytes: Int = 1024, maxFields: Int = 16) throws(FormError) {
        guard body.count <= maxBytes else { throw .tooLarge(limit: maxBytes) }
        fields = []
        var start = 0
        while start < body.count {
            var end = start
            while end < body.count && body[end] != UInt8(ascii: "&") { end += 1 }
            if end > start {
                var eq = start
                while eq < end && body[eq] != UInt8(ascii: "=") { eq += 1 }
                let name = try FormFields.decodeComponent(body, start, eq)
                let value = eq < end ? try FormFields.decodeComponent(body, eq + 1, end) : ""
                for f in fields where f.name == name { throw .duplicateField(name) }
                guard fields.count < maxFields else { throw .tooManyFields(limit: maxFields) }
                fields.append((name, value))
            }
            start = end + 1
        }
    }

    /// The value of field `name`, nil when absent.
    public subscript(name: String) -> String? {
        for f in fields where f.name == name { return f.value }
        return nil
    }

    /// Same fields in the same order.
    public static func == (l: FormFields, r: FormFields) -> Bool {
        guard l.fields.count == r.fields.count else { return false }
        for i in 0..<l.fields.count where l.fields[i] != r.fields[i] { return false }
        return true
    }

    static func decodeComponent(_ b: [UInt8], _ from: Int, _ to: Int) throws(FormError) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(to - from)
        var i = from
        while i < to {
            let c = b[i]
            if c == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
                i += 1
            } else if c == UInt8(ascii: "%") {
                guard i + 2 < to, let hi = hexNibble(b[i + 1]), let lo = hexNibble(b[i + 2]) else {
                    throw .invalidPercentEscape(offset: i)
                }
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(c)
                i += 1
            }
        }
        guard isWellFormedUTF8(out) else { throw .invalidUTF8(offset: from) }
        return String(decoding: out, as: UTF8.self)
    }
}
