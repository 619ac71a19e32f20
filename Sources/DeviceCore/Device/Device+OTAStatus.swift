/// What the status topic says about OTA: `updating` with progress while an update runs,
/// `rebooting` before the restart, and a result (refusal, rollback) once.
extension Device {
    /// An update is under way: a download, a wait to retry one, or the image's verification.
    /// True for the whole transfer, also while a restart is pending or the device is off the
    /// station; the reported state is `updating` only when this holds and neither does (`isUpdating`).
    var otaIsTransferring: Bool { otaSummary.isTransferring }

    /// The device reports `updating`: a transfer is under way (`otaIsTransferring`) in station mode
    /// with no restart pending. What the fleet counts as updating and what a `power_loss_during_flash`
    /// fault waits for: the device's own word, as its status topic says it.
    public var isUpdating: Bool { reportedState == .updating }

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
