/// One status message as the device publishes it on `device/{id}/status`. Key names and order are
/// the wire contract (docs/wire-contract.md); `ota` appears only while an update reports progress.
public struct Heartbeat: Equatable, Sendable {
    public var id: String
    public var firmware: String
    public var state: ReportedState
    public var uptimeSeconds: Int64
    /// nil when the station is not associated (encoded as JSON null).
    public var rssi: Int?
    public var freeHeap: Int
    public var resetReason: ResetReason
    public var bootCount: Int
    /// Per-power-cycle number of this status publish, starting at 1.
    public var seq: Int
    /// When it was built, on the host's clock (Unix epoch in SimFleet).
    public var timestamp: Instant
    /// Progress object added by the OTA updater, nil when there is nothing to report.
    public var ota: JSONValue?

    public init(id: String, firmware: String, state: ReportedState, uptimeSeconds: Int64, rssi: Int?,
                freeHeap: Int, resetReason: ResetReason, bootCount: Int, seq: Int, timestamp: Instant,
                ota: JSONValue? = nil) {
        self.id = id
        self.firmware = firmware
        self.state = state
        self.uptimeSeconds = uptimeSeconds
        self.rssi = rssi
        self.freeHeap = freeHeap
        self.resetReason = resetReason
        self.bootCount = bootCount
        self.seq = seq
        self.timestamp = timestamp
        self.ota = ota
    }

    /// `{"id","fw","state","uptime_s","rssi","free_heap","reset_reason","boot_count","seq","ts"[,"ota"]}`.
    public var json: JSONValue {
        var members: [JSONMember] = [
            JSONMember("id", .string(id)),
            JSONMember("fw", .string(firmware)),
            JSONMember("state", .string(state.name)),
            JSONMember("uptime_s", .int(uptimeSeconds)),
            JSONMember("rssi", rssi.map { JSONValue.int($0) } ?? .null),
            JSONMember("free_heap", .int(freeHeap)),
            JSONMember("reset_reason", .string(resetReason.name)),
            JSONMember("boot_count", .int(bootCount)),
            JSONMember("seq", .int(seq)),
            JSONMember("ts", .number(JSONNumber(validatedText: timestamp.millisecondsText))),
        ]
        if let ota { members.append(JSONMember("ota", ota)) }
        return .object(members)
    }
}

/// The retained last will the broker publishes for a device that vanished: `{"state":"offline"}`.
func offlineWill(topic: String) -> MQTTPublish {
    MQTTPublish(topic: topic, payload: offlineWillPayload, qos: 1, retain: true)
}

/// Encoded once: every device's will carries the same bytes (one shared buffer in a fleet).
private let offlineWillPayload: [UInt8] = JSONValue.object([JSONMember("state", .string("offline"))]).encodedBytes()
