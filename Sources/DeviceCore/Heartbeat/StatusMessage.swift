/// A message on a status topic as an observer reads it: a device's heartbeat, or the broker's
/// delivery of its last will. The observer measures end-to-end latency from `Heartbeat.timestamp`.
public enum StatusMessage: Equatable, Sendable {
    case heartbeat(Heartbeat)
    /// `{"state":"offline"}`: the device's last will.
    case offline

    /// Parses a status payload strictly: every contract key present with its JSON type.
    public init(parsing payload: [UInt8]) throws(StatusMessageError) {
        let value: JSONValue
        do {
            value = try JSONReader(maxBytes: 4096, maxDepth: 8).parse(payload)
        } catch {
            throw .malformedJSON(error)
        }
        guard case .object(let members) = value else { throw .notAnObject }
        if members.count == 1, value["state"]?.stringValue == "offline" {
            self = .offline
            return
        }
        let stateName = try text(value, "state")
        guard let state = ReportedState(name: stateName) else { throw .invalidField("state") }
        let reasonName = try text(value, "reset_reason")
        guard let reason = ResetReason(name: reasonName) else { throw .invalidField("reset_reason") }
        var rssi: Int? = nil
        if let r = value["rssi"], !r.isNull {
            guard let n = r.int64Value else { throw .invalidField("rssi") }
            rssi = Int(n)
        } else if value["rssi"] == nil {
            throw .missingField("rssi")
        }
        guard case .number(let ts)? = value["ts"] else { throw value["ts"] == nil ? .missingField("ts") : .invalidField("ts") }
        guard let timestamp = Instant(millisecondsText: ts.text) else { throw .invalidField("ts") }
        self = .heartbeat(Heartbeat(
            id: try text(value, "id"), firmware: try text(value, "fw"), state: state,
            uptimeSeconds: try integer(value, "uptime_s"), rssi: rssi, freeHeap: Int(try integer(value, "free_heap")),
            resetReason: reason, bootCount: Int(try integer(value, "boot_count")), seq: Int(try integer(value, "seq")),
            timestamp: timestamp, ota: value["ota"]))
    }
}

/// Why a status payload could not be read.
public enum StatusMessageError: Error, Equatable, Sendable {
    case malformedJSON(JSONError)
    case notAnObject
    case missingField(String)
    /// Present with the wrong type or an unknown value.
    case invalidField(String)
}

private func text(_ object: JSONValue, _ key: String) throws(StatusMessageError) -> String {
    guard let value = object[key] else { throw .missingField(key) }
    guard let s = value.stringValue else { throw .invalidField(key) }
    return s
}

private func integer(_ object: JSONValue, _ key: String) throws(StatusMessageError) -> Int64 {
    guard let value = object[key] else { throw .missingField(key) }
    guard let n = value.int64Value, n >= Int64(Int32.min), n <= Int64(UInt32.max) else { throw .invalidField(key) }
    return n
}

extension ReportedState {
    /// The state named `name` on the wire (`online`, ...), nil for an unknown name.
    public init?(name: String) {
        switch name {
        case "off": self = .off
        case "connecting": self = .connecting
        case "online": self = .online
        case "updating": self = .updating
        case "rebooting": self = .rebooting
        case "provisioning": self = .provisioning
        default: return nil
        }
    }
}

extension Instant {
    /// Reads `millisecondsText` back: whole milliseconds, optionally `.` and up to 3 more digits
    /// (microseconds). Nil for anything else, including values outside the `Int64` microsecond range.
    public init?(millisecondsText text: String) {
        var milliseconds: Int64 = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var sawDot = false
        var sawDigit = false
        for c in text.utf8 {
            if c == UInt8(ascii: ".") && !sawDot && sawDigit {
                sawDot = true
                continue
            }
            guard c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") else { return nil }
            let digit = Int64(c - UInt8(ascii: "0"))
            if sawDot {
                guard fractionDigits < 3 else { return nil }
                fraction = fraction * 10 + digit
                fractionDigits += 1
            } else {
                sawDigit = true
                let (m, o1) = milliseconds.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(digit)
                guard !o1 && !o2 else { return nil }
                milliseconds = s
            }
        }
        guard sawDigit, !sawDot || fractionDigits > 0 else { return nil }
        while fractionDigits < 3 {
            fraction *= 10
            fractionDigits += 1
        }
        let (us, o1) = milliseconds.multipliedReportingOverflow(by: 1000)
        let (total, o2) = us.addingReportingOverflow(fraction)
        guard !o1 && !o2 else { return nil }
        self.init(microseconds: total)
    }
}
