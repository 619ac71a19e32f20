import CMosquitto

/// The two fields of a heartbeat the observer needs, read straight from the payload bytes
/// (`"seq":17` and `"ts":1764396000123.456`) without building a JSON tree for every message.
/// Values outside what a device can send are refused rather than wrapped or trapped on: `seq`
/// 1…4294967295 (the MQTT message id the device reports), `boot_count` 0…2147483647 (so that the
/// delivery key `boot_count << 32 | seq` is a positive `Int`), `ts` a time in milliseconds whose
/// microseconds fit in 64 bits.
struct HeartbeatFields: Equatable {
    static let maxSeq = 0xFFFF_FFFF
    static let maxBootCount = 0x7FFF_FFFF

    var seq: Int
    /// The device's boot count (`"boot_count"`), 0 when absent: sequence numbers restart at each boot.
    var bootCount = 0
    /// Publish time, Unix-epoch microseconds (the payload carries milliseconds with 3 decimals).
    var timestampMicros: Int64?

    init(seq: Int, timestampMicros: Int64?) {
        self.seq = seq
        self.timestampMicros = timestampMicros
    }

    /// nil when the payload is not a heartbeat the observer can account for (no `seq`, a value out
    /// of range, not a JSON object).
    init?(payload: [UInt8]) {
        guard let f = payload.withUnsafeBytes({ HeartbeatFields(bytes: $0) }) else { return nil }
        self = f
    }

    /// The same, straight from a libmosquitto buffer (no copy).
    init?(bytes payload: UnsafeRawBufferPointer) {
        guard HeartbeatFields.looksLikeObject(payload),
              let seqAt = HeartbeatFields.valueStart(of: HeartbeatFields.seqKey, in: payload),
              let seq = HeartbeatFields.integer(in: payload, from: seqAt), seq >= 1, seq <= HeartbeatFields.maxSeq
        else { return nil }
        self.seq = seq
        if let bootAt = HeartbeatFields.valueStart(of: HeartbeatFields.bootKey, in: payload) {
            guard let boot = HeartbeatFields.integer(in: payload, from: bootAt), boot <= HeartbeatFields.maxBootCount else { return nil }
            bootCount = boot
        }
        if let tsAt = HeartbeatFields.valueStart(of: HeartbeatFields.tsKey, in: payload) {
            guard let ts = HeartbeatFields.milliText(in: payload, from: tsAt) else { return nil }
            timestampMicros = ts
        } else {
            timestampMicros = nil
        }
    }

    private static let seqKey = Array("\"seq\"".utf8)
    private static let tsKey = Array("\"ts\"".utf8)
    private static let bootKey = Array("\"boot_count\"".utf8)

    /// One heartbeat's identity for delivery accounting: boot count and sequence number, so the
    /// same `seq` after a reboot (OTA, power cut) is a new heartbeat, not a duplicate. Within
    /// 1…`Int.max` for every heartbeat `init` accepts.
    var deliveryKey: Int { bootCount << 32 | seq }

    /// The sequence number inside a delivery key.
    static func seq(ofKey key: Int) -> Int { key & 0xFFFF_FFFF }

    /// The delivery key of a heartbeat the device publishes: its `seq` and the device's boot count.
    static func deliveryKey(seq: Int, bootCount: Int) -> Int {
        min(max(bootCount, 0), maxBootCount) << 32 | (seq & maxSeq)
    }

    /// `{` first and `}` last (outside spaces): a JSON object, as every status message is. Cheap,
    /// and enough to refuse a text that merely contains `"seq":1`.
    private static func looksLikeObject(_ p: UnsafeRawBufferPointer) -> Bool {
        var first = 0, last = p.count - 1
        while first < p.count, isSpace(p[first]) { first += 1 }
        while last > first, isSpace(p[last]) { last -= 1 }
        return last > first && p[first] == 0x7B && p[last] == 0x7D
    }

    private static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 }

    /// Where the value after `key` starts (past `:` and spaces). glibc's `memmem` finds the key: it runs
    /// for every heartbeat on both sides (publish and observer), three keys each.
    private static func valueStart(of key: [UInt8], in p: UnsafeRawBufferPointer) -> Int? {
        guard let base = p.baseAddress, p.count > key.count else { return nil }
        let hit = key.withUnsafeBytes { k in simfleet_memmem(base, p.count, k.baseAddress, k.count) }
        guard let hit else { return nil }
        var k = base.distance(to: UnsafeRawPointer(hit)) + key.count
        while k < p.count && (p[k] == 0x20 || p[k] == 0x3A) { k += 1 }
        return k
    }

    /// A non-negative decimal integer of at most 18 digits (no overflow possible), nil otherwise:
    /// more digits, a sign, a fraction or an exponent are not something a device sends.
    private static func integer(in p: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var v = 0, i = start, digits = 0
        while i < p.count, p[i] >= 0x30, p[i] <= 0x39 {
            guard digits < 18 else { return nil }
            v = v * 10 + Int(p[i] - 0x30)
            i += 1
            digits += 1
        }
        guard digits > 0 else { return nil }
        if i < p.count, p[i] == 0x2E || p[i] == 0x65 || p[i] == 0x45 { return nil }
        return v
    }

    /// `1764396000123.456` → 1764396000123456 µs; fewer decimals are padded, more are cut. nil for
    /// anything that is not a plain non-negative number or whose microseconds overflow 64 bits.
    private static func milliText(in p: UnsafeRawBufferPointer, from start: Int) -> Int64? {
        var v: Int64 = 0, i = start, digits = 0, decimals = -1
        while i < p.count {
            let c = p[i]
            if c == 0x2E, decimals < 0 {
                decimals = 0
            } else if c >= 0x30 && c <= 0x39 {
                if decimals >= 3 { i += 1; continue }
                let (times10, o1) = v.multipliedReportingOverflow(by: 10)
                let (next, o2) = times10.addingReportingOverflow(Int64(c - 0x30))
                guard !o1, !o2 else { return nil }
                v = next
                digits += 1
                if decimals >= 0 { decimals += 1 }
            } else {
                break
            }
            i += 1
        }
        guard digits > 0, decimals != 0 else { return nil }
        if i < p.count, p[i] == 0x65 || p[i] == 0x45 { return nil }
        for _ in 0..<(3 - max(0, decimals)) {
            let (next, overflow) = v.multipliedReportingOverflow(by: 10)
            guard !overflow else { return nil }
            v = next
        }
        return v
    }
}
