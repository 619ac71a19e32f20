/// Escapes text for HTML element content and quoted attribute values: `&`, `<`, `>`, `"` and `'`
/// become character references, so an SSID like `<script>` renders as text, never as markup.
public func htmlEscaped(_ text: String) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(text.utf8.count)
    for c in text.utf8 {
        switch c {
        case UInt8(ascii: "&"): out.append(contentsOf: "&amp;".utf8)
        case UInt8(ascii: "<"): out.append(contentsOf: "&lt;".utf8)
        case UInt8(ascii: ">"): out.append(contentsOf: "&gt;".utf8)
        case UInt8(ascii: "\""): out.append(contentsOf: "&quot;".utf8)
        case UInt8(ascii: "'"): out.append(contentsOf: "&#39;".utf8)
        default: out.append(c)
        }
    }
    return String(decoding: out, as: UTF8.self)
}

/// Compact JSON that is also safe to embed in HTML: `<`, `>` and `&` (which only ever occur
/// inside JSON strings) are written as `\u003c`, `\u003e`, `\u0026`.
public func htmlSafeJSONBytes(_ value: JSONValue) -> [UInt8] {
    var out: [UInt8] = []
    for c in value.encodedBytes() {
        switch c {
        case UInt8(ascii: "<"): out.append(contentsOf: "\\u003c".utf8)
        case UInt8(ascii: ">"): out.append(contentsOf: "\\u003e".utf8)
        case UInt8(ascii: "&"): out.append(contentsOf: "\\u0026".utf8)
        default: out.append(c)
        }
    }
    return out
}
