/// What the status topic says about OTA: `updating` with progress while an update runs,
/// `rebooting` before the restart, and a result (refusal, rollback) once.
extension Device {
    /// Reported state is `updating` while this is true.
    var otaIsUpdating: Bool { otaSummary.isTransferring }

    /// The `ota` member of heartbeats: progress while updating, else a result owed once, else none.
    // Inlined in `heartbeat(at:)`: most heartbeats stop at the summary. The rest is a function of
    // the updater alone, not a method: a method call from `publishStatus` copied the whole device.
    @inline(__always)
    var otaHeartbeatObject: JSONValue? {
        otaSummary.isQuiet ? nil : Self.otaProgressObject(ota)
    }

    private static func otaProgressObject(_ ota: DeviceOTA<Crypto>) -> JSONValue? {
        guard let updater = ota.updater else { return nil }
        switch updater.state {
        case .awaitingReboot:
            return .object([JSONMember("state", .string("rebooting")),
                            JSONMember("version", ota.target.map { JSONValue.string($0) } ?? .null)])
        case .awaitingResponse, .downloading, .awaitingRetry, .verifying:
            return updater.progress.json(version: ota.target)
        case .idle, .pendingVerify:
            return ota.report?.json
        }
    }

    /// A status message left with the current `ota` object: a result is reported only once.
    mutating func otaStatusPublished() {
        if !otaSummary.isTransferring && otaSummary.hasReport { ota.report = nil }
    }
}
