import CMosquitto

/// The two fields of a heartbeat the observer needs, read straight from the payload bytes
/// (`"seq":17` and `"ts":1764396000123.456`) without building a JSON tree for every message.
struct HeartbeatFields: Equatable {
    var seq: Int
    /// The device's boot count (`"boot_count"`), 0 when absent: sequence numbers restart at each boot.
    var bootCount = 0
    /// Publish time, Unix-epoch microseconds (the payload carries milliseconds with 3 decimals).
    var timestampMicros: Int64?

    init(seq: Int, timestampMicros: Int64?) {
        self.seq = seq
        self.timestampMicros = timestampMicros
    }

    /// nil when the payload carries no `seq` (the last will, a state change without one).
    init?(payload: [UInt8]) {
        guard let f = payload.withUnsafeBytes({ HeartbeatFields(bytes: $0) }) else { return nil }
        self = f
    }

    /// The same, straight from a libmosquitto buffer (no copy).
    init?(bytes payload: UnsafeRawBufferPointer) {
        guard let seqAt = HeartbeatFields.valueStart(of: HeartbeatFields.seqKey, in: payload),
              let seq = HeartbeatFields.integer(in: payload, from: seqAt) else { return nil }
        self.seq = seq
        if let bootAt = HeartbeatFields.valueStart(of: HeartbeatFields.bootKey, in: payload) {
            bootCount = HeartbeatFields.integer(in: payload, from: bootAt) ?? 0
        }
        if let tsAt = HeartbeatFields.valueStart(of: HeartbeatFields.tsKey, in: payload) {
            timestampMicros = HeartbeatFields.milliText(in: payload, from: tsAt)
        } else {
            timestampMicros = nil
        }
    }

    private static let seqKey = Array("\"seq\"".utf8)
    private static let tsKey = Array("\"ts\"".utf8)
    private static let bootKey = Array("\"boot_count\"".utf8)

    /// One heartbeat's identity for delivery accounting: boot count and sequence number, so the
    /// same `seq` after a reboot (OTA, power cut) is a new heartbeat, not a duplicate.
    var deliveryKey: Int { bootCount << 32 | seq }

    /// The sequence number inside a delivery key.
    static func seq(ofKey key: Int) -> Int { key & 0xFFFF_FFFF }

    /// The delivery key of a heartbeat the device publishes (`seq` plus the payload's `boot_count`).
    static func deliveryKey(seq: Int, payload: [UInt8]) -> Int {
        let boot = payload.withUnsafeBytes { p in valueStart(of: bootKey, in: p).flatMap { integer(in: p, from: $0) } } ?? 0
        return boot << 32 | seq
    }

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

    private static func integer(in p: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var v = 0, i = start, digits = 0
        while i < p.count, p[i] >= 0x30, p[i] <= 0x39, digits < 18 {
            v = v * 10 + Int(p[i] - 0x30)
            i += 1
            digits += 1
        }
        return digits > 0 ? v : nil
    }

    /// `1764396000123.456` → 1764396000123456 µs; fewer decimals are padded, more are cut.
    private static func milliText(in p: UnsafeRawBufferPointer, from start: Int) -> Int64? {
        var v: Int64 = 0, i = start, digits = 0, decimals = -1
        while i < p.count, digits < 19 {
            let c = p[i]
            if c == 0x2E, decimals < 0 {
                decimals = 0
            } else if c >= 0x30 && c <= 0x39 {
                if decimals >= 3 { i += 1; continue }
                v = v * 10 + Int64(c - 0x30)
                digits += 1
                if decimals >= 0 { decimals += 1 }
            } else {
                break
            }
            i += 1
        }
        guard digits > 0 else { return nil }
        for _ in 0..<(3 - max(0, decimals)) { v *= 10 }
        return v
    }
}
