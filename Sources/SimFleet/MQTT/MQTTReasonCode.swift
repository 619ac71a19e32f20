import CMosquitto

/// MQTT reason codes by name, for the report's `errors` (`not_authorized`, `quota_exceeded`,
/// `server_busy`…): the words are libmosquitto's `mosquitto_reason_string`, in snake case.
enum MQTTReasonCode {
    /// The MQTT 5 reason code an MQTT 3.1.1 CONNACK return code (1…5) stands for.
    static func fromConnack(_ code: Int32) -> Int32? {
        switch code {
        case 1: return 0x84  // unsupported protocol version
        case 2: return 0x85  // client identifier not valid
        case 3: return 0x88  // server unavailable
        case 4: return 0x86  // bad user name or password
        case 5: return 0x87  // not authorized
        default: return nil
        }
    }

    /// Every failure reason's name: they break down the error kinds in the report's `errors`, so totals skip them.
    static let allNames: Set<String> = Set((0x80...0xFF).compactMap { name(Int32($0)) })

    /// The snake-case name of a failure reason code (0x80…0xFF); nil for success codes.
    static func name(_ code: Int32) -> String? {
        guard (0x80...0xFF).contains(code), let text = mosquitto_reason_string(code) else { return nil }
        var out = ""
        var pendingSeparator = false
        for scalar in String(cString: text).unicodeScalars {
            if scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                if pendingSeparator && !out.isEmpty { out += "_" }
                pendingSeparator = false
                out += String(scalar).lowercased()
            } else {
                pendingSeparator = true
            }
        }
        return out.isEmpty || out.hasPrefix("unknown") ? "reason_" + String(code, radix: 16) : out
    }
}
