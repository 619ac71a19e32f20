import DeviceCore

/// The status payloads of the boot-to-heartbeat cycle and the last will, read back the way the
/// fleet's observer reads them, plus malformed payloads it must refuse with a typed error.
func statusReadBackVectors(_ emit: (String, String) -> Void) {
    var payloads: [[UInt8]] = []
    runBootHeartbeatCycle { _, _, actions, _ in
        for a in actions {
            if case .mqttPublish(let p) = a { payloads.append(p.payload) }
            if case .mqttConnect(let o) = a, let will = o.will { payloads.append(will.payload) }
        }
    }
    for bad in [#"{"state":"online"}"#, #"{"id":"x","fw":"1","state":"dancing","uptime_s":1,"rssi":null,"free_heap":1,"reset_reason":"sw","boot_count":1,"seq":1,"ts":1.5}"#,
                #"{"id":"x","fw":"1","state":"online","uptime_s":1,"rssi":null,"free_heap":1,"reset_reason":"sw","boot_count":1,"seq":1,"ts":"1"}"#,
                "[]", "{"] {
        payloads.append(Array(bad.utf8))
    }
    var readBack: [String] = []
    for payload in payloads {
        do {
            switch try StatusMessage(parsing: payload) {
            case .offline: readBack.append("offline (last will)")
            case .heartbeat(let h):
                readBack.append("heartbeat " + h.id + " seq=" + dec(h.seq) + " state=" + h.state.name + " ts="
                                + h.timestamp.millisecondsText + " rssi=" + optional(h.rssi.map(dec))
                                + " same-bytes=" + yesNo(h.json.encodedBytes() == payload))
            }
        } catch {
            readBack.append("error " + renderStatusError(error))
        }
    }
    emit("status.read-back", joined(readBack, "\n"))
}

/// A status read-back error as text (an `if case` chain, so a new case cannot break the build).
func renderStatusError(_ error: StatusMessageError) -> String {
    if case .malformedJSON(let e) = error { return "malformed " + renderJSONError(e) }
    if case .notAnObject = error { return "not an object" }
    if case .missingField(let f) = error { return "missing " + f }
    if case .invalidField(let f) = error { return "invalid " + f }
    return "other"
}
