/// Length of the well-formed UTF-8 sequence starting at `bytes[i]` (RFC 3629: no overlongs, no
/// surrogates, nothing above U+10FFFF), 1 for ASCII; nil when the bytes there are not UTF-8.
/// Shared by every parser that takes text from outside (JSON strings, form fields).
func wellFormedUTF8SequenceLength(_ bytes: [UInt8], at i: Int) -> Int? {
    let b0 = bytes[i]
    let length: Int
    var lower: UInt8 = 0x80
    var upper: UInt8 = 0xBF
    switch b0 {
    case 0x00...0x7F: return 1
    case 0xC2...0xDF: length = 2
    case 0xE0: length = 3; lower = 0xA0
    case 0xE1...0xEC, 0xEE...0xEF: length = 3
    case 0xED: length = 3; upper = 0x9F
    case 0xF0: length = 4; lower = 0x90
    case 0xF1...0xF3: length = 4
    case 0xF4: length = 4; upper = 0x8F
    default: return nil
    }
    guard i + length <= bytes.count, bytes[i + 1] >= lower, bytes[i + 1] <= upper else { return nil }
    var k = 2
    while k < length {
        guard bytes[i + k] & 0xC0 == 0x80 else { return nil }
        k += 1
    }
    return length
}

/// True when `bytes` is well-formed UTF-8 throughout.
func isWellFormedUTF8(_ bytes: [UInt8]) -> Bool {
    var i = 0
    while i < bytes.count {
        guard let length = wellFormedUTF8SequenceLength(bytes, at: i) else { return false }
        i += length
    }
    return true
}
