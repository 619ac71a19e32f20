import Glibc

/// The observer's parse for virtual time: DeviceCore's status messages end with
/// `"boot_count":N,"seq":N,"ts":T}` (docs/wire-contract.md key order), so the three fields are
/// read back to front from the end in one short pass; anything else (an `ota` object after `ts`,
/// a value the general parser would refuse) goes through the general parser. Same fields, about a
/// third of the work per heartbeat.
extension HeartbeatFields {
    init?(statusPayload payload: [UInt8]) {
        if let fast = payload.withUnsafeBytes({ HeartbeatFields.tail($0) }) {
            self = fast
        } else {
            guard let general = HeartbeatFields(payload: payload) else { return nil }
            self = general
        }
    }

    private static func tail(_ p: UnsafeRawBufferPointer) -> HeartbeatFields? {
        guard p.count > 40, p[p.count - 1] == UInt8(ascii: "}") else { return nil }
        // ts: one dot and at most 16 digits before the closing brace (a device writes 13 + 3), so
        // its microseconds cannot overflow; anything longer goes to the general parser.
        var i = p.count - 2
        var dots = 0
        while i > p.count - 19, p[i] == UInt8(ascii: ".") || (p[i] >= 0x30 && p[i] <= 0x39) {
            if p[i] == UInt8(ascii: ".") { dots += 1 }
            i -= 1
        }
        guard dots == 1, ends(p, at: i, with: ",\"ts\":") else { return nil }
        // Milliseconds to microseconds as the general parser reads them: decimals past the third
        // are cut, fewer are padded, a dot with no decimal after it is refused.
        var micros: Int64 = 0, fraction = -1
        for k in (i + 1)..<(p.count - 1) {
            let c = p[k]
            if c == UInt8(ascii: ".") {
                fraction = 0
            } else if fraction < 3 {
                micros = micros * 10 + Int64(c &- 0x30)
                if fraction >= 0 { fraction += 1 }
            }
        }
        guard fraction > 0 else { return nil }
        for _ in max(0, fraction)..<3 { micros *= 10 }
        i -= 6
        guard let (seq, seqFrom) = number(p, endingAt: i), seq >= 1, seq <= maxSeq,
              ends(p, at: seqFrom - 1, with: ",\"seq\":") else { return nil }
        i = seqFrom - 8
        guard let (boot, bootFrom) = number(p, endingAt: i), boot <= maxBootCount,
              ends(p, at: bootFrom - 1, with: ",\"boot_count\":") else { return nil }
        var f = HeartbeatFields(seq: seq, timestampMicros: micros)
        f.bootCount = boot
        return f
    }

    /// The decimal integer of at most 18 digits whose last digit is at `end`, and where it starts.
    private static func number(_ p: UnsafeRawBufferPointer, endingAt end: Int) -> (Int, Int)? {
        var i = end, value = 0, scale = 1
        while i >= 0, p[i] >= 0x30, p[i] <= 0x39 {
            guard scale <= 100_000_000_000_000_000 else { return nil }
            value += Int(p[i] &- 0x30) * scale
            scale *= 10
            i -= 1
        }
        return i < end ? (value, i + 1) : nil
    }

    /// Whether `key` ends at index `end` of `p`.
    private static func ends(_ p: UnsafeRawBufferPointer, at end: Int, with key: StaticString) -> Bool {
        let n = key.utf8CodeUnitCount
        guard end - n + 1 >= 0, end < p.count, let base = p.baseAddress else { return false }
        return memcmp(base + (end - n + 1), key.utf8Start, n) == 0
    }
}
