import CMosquitto
import DeviceCore

/// Reads `{seq}` and `{ts}` back out of a received telemetry payload by walking its template: fixed
/// text must match where the template puts it, a number is a run of `-0123456789.`, the filler a
/// run of `x`, an id or a choice runs up to the fixed text that follows it. Straight from
/// libmosquitto's buffer, no allocation; it stops after the last of `{seq}` and `{ts}`.
struct TelemetryPayloadReader: Sendable {
    /// What one payload says.
    struct Fields: Equatable {
        var seq: Int?
        /// Publish time, Unix-epoch microseconds.
        var timestampMicros: Int64?
    }

    private let parts: [TelemetryPart]
    /// Whether payloads carry `{seq}` (else only `{ts}`).
    var readsSequence: Bool { parts.contains(.seq) }

    /// nil when the template has neither `{seq}` nor `{ts}` (nothing to read).
    init?(_ template: TelemetryTemplate) throws(TelemetryTemplateTextError) {
        guard let last = template.parts.lastIndex(where: { $0 == .seq || $0 == .timestamp }) else { return nil }
        parts = Array(template.parts[...last])
        for (i, part) in parts.enumerated() where !part.isText {
            guard i < last else { break }
            guard case .text(let next) = parts[i + 1], let first = next.first else {
                throw TelemetryTemplateTextError("a generator before {seq} or {ts} must be followed by fixed text (the observer reads the payload back)",
                                                 offset: 0)
            }
            if part.isNumeric && TelemetryPayloadReader.isNumberByte(first) {
                throw TelemetryTemplateTextError("a number before {seq} or {ts} must not be followed by a digit, '.' or '-'", offset: 0)
            }
            if case .pad = part, first == UInt8(ascii: "x") {
                throw TelemetryTemplateTextError("{pad} before {seq} or {ts} must not be followed by 'x'", offset: 0)
            }
        }
    }

    /// A byte a number is written with: a digit, `.` or `-`.
    static func isNumberByte(_ c: UInt8) -> Bool { (c >= 0x30 && c <= 0x39) || c == 0x2E || c == 0x2D }

    /// The fields of `payload`, nil when it does not have the template's shape (malformed).
    func read(_ payload: UnsafeRawBufferPointer) -> Fields? {
        var fields = Fields()
        var at = 0
        let n = payload.count
        for (i, part) in parts.enumerated() {
            switch part {
            case .text(let bytes):
                guard at + bytes.count <= n else { return nil }
                for k in 0..<bytes.count where payload[at + k] != bytes[k] { return nil }
                at += bytes.count
            case .pad:
                while at < n && payload[at] == UInt8(ascii: "x") { at += 1 }
            case .deviceID, .choice:
                guard i + 1 < parts.count, case .text(let next) = parts[i + 1], let base = payload.baseAddress, at < n else { return nil }
                let hit = next.withUnsafeBytes { simfleet_memmem(base + at, n - at, $0.baseAddress, $0.count) }
                guard let hit else { return nil }
                let end = base.distance(to: UnsafeRawPointer(hit))
                guard end > at else { return nil }
                at = end
            default:
                let start = at
                while at < n && TelemetryPayloadReader.isNumberByte(payload[at]) { at += 1 }
                guard at > start else { return nil }
                if part == .seq {
                    guard let v = TelemetryPayloadReader.whole(payload, start..<at) else { return nil }
                    fields.seq = v
                } else if part == .timestamp {
                    guard let v = TelemetryPayloadReader.milliseconds(payload, start..<at) else { return nil }
                    fields.timestampMicros = v
                }
            }
        }
        return fields
    }

    /// A whole number of up to 18 digits.
    static func whole(_ p: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int? {
        guard !range.isEmpty, range.count <= 18 else { return nil }
        var v = 0
        for i in range {
            guard p[i] >= 0x30 && p[i] <= 0x39 else { return nil }
            v = v * 10 + Int(p[i] - 0x30)
        }
        return v
    }

    /// `1764396000123.456` → µs: up to 15 whole digits and 3 decimals (fewer are padded).
    static func milliseconds(_ p: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int64? {
        var v: Int64 = 0, digits = 0, decimals = -1
        for i in range {
            let c = p[i]
            if c == 0x2E {
                guard decimals < 0 else { return nil }
                decimals = 0
            } else if c >= 0x30 && c <= 0x39 {
                guard decimals < 3 else { return nil }
                v = v * 10 + Int64(c - 0x30)
                digits += 1
                guard digits <= 18 else { return nil }
                if decimals >= 0 { decimals += 1 }
            } else {
                return nil
            }
        }
        guard digits > 0 else { return nil }
        for _ in 0..<(3 - max(0, decimals)) { v *= 10 }
        return v
    }
}

extension TelemetryPart {
    var isText: Bool {
        if case .text = self { return true }
        return false
    }

    /// Generators that write a number (`-`, digits, `.`).
    var isNumeric: Bool {
        switch self {
        case .seq, .timestamp, .uptime, .integer, .uniform, .gauss, .walk: return true
        default: return false
        }
    }
}
