/// The observer's parse for virtual time: DeviceCore's status messages end with
/// `"boot_count":N,"seq":N,"ts":T}` (docs/wire-contract.md key order), so the three fields are
/// read back to front from the end in one short pass; anything else (an `ota` object after `ts`)
/// goes through the general parser. Same fields, about a third of the work per heartbeat.
extension HeartbeatFields {
    init?(statusPayload payload: [UInt8]) {
        if let fast = payload.withUnsafeBytes({ HeartbeatFields.tail($0) }) {
            self = fast
        } else {
            guard let general = HeartbeatFields(payload: payload) else { return nil }
            self = general
        }
    }

    private static let tsKey = Array(",\"ts\":".utf8)
    private static let seqKey = Array(",\"seq\":".utf8)
    private static let bootKey = Array(",\"boot_count\":".utf8)

    private static func tail(_ p: UnsafeRawBufferPointer) -> HeartbeatFields? {
        guard p.count > 40, p[p.count - 1] == UInt8(ascii: "}") else { return nil }
        // ts: digits and one dot before the closing brace.
        var i = p.count - 2
        var micros: Int64 = 0, decimals = -1
        while i > 0, p[i] == UInt8(ascii: ".") || (p[i] >= 0x30 && p[i] <= 0x39) {
            if p[i] == UInt8(ascii: ".") {
                guard decimals < 0 else { return nil }
                decimals = p.count - 2 - i
            }
            i -= 1
        }
        guard ends(p, at: i, with: tsKey) else { return nil }
        let tsStart = i + 1
        // milliseconds with up to 3 decimals → microseconds
        var k = tsStart, seenDot = false, fraction = 0
        while k < p.count - 1 {
            let c = p[k]
            if c == UInt8(ascii: ".") {
                seenDot = true
            } else if !seenDot || fraction < 3 {
                micros = micros * 10 + Int64(c - 0x30)
                if seenDot { fraction += 1 }
            }
            k += 1
        }
        while fraction < 3 { micros *= 10; fraction += 1 }
        i -= tsKey.count
        guard let (seq, seqFrom) = number(p, endingAt: i), ends(p, at: seqFrom - 1, with: seqKey) else { return nil }
        i = seqFrom - 1 - seqKey.count
        guard let (boot, bootFrom) = number(p, endingAt: i), ends(p, at: bootFrom - 1, with: bootKey) else { return nil }
        var f = HeartbeatFields(seq: seq, timestampMicros: micros)
        f.bootCount = boot
        return f
    }

    /// The decimal integer whose last digit is at `end`, and where it starts.
    private static func number(_ p: UnsafeRawBufferPointer, endingAt end: Int) -> (Int, Int)? {
        var i = end, value = 0, scale = 1
        while i >= 0, p[i] >= 0x30, p[i] <= 0x39, scale <= 1_000_000_000_000_000 {
            value += Int(p[i] - 0x30) * scale
            scale *= 10
            i -= 1
        }
        return i < end ? (value, i + 1) : nil
    }

    /// Whether `key` ends at index `end` of `p`.
    private static func ends(_ p: UnsafeRawBufferPointer, at end: Int, with key: [UInt8]) -> Bool {
        guard end - key.count + 1 >= 0 else { return false }
        var j = key.count - 1, i = end
        while j >= 0 {
            if p[i] != key[j] { return false }
            i -= 1
            j -= 1
        }
        return true
    }
}
