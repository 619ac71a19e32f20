// OTA INTEGRATION POINT. The OTA updater (branch `ota`) replaces the bodies below; the rest of
// `Device` calls only these. Until then an accepted request is logged and nothing is downloaded.

/// How the updater answered a request to install firmware.
enum UpdateStart: Equatable {
    case accepted
    /// Not now or not this image; `status` is the HTTP status for local requests (e.g. 409 busy).
    case refused(status: Int, reason: String)
}

extension Device {
    /// Hands an install request (MQTT command, `POST /update`, `POST /test_update`) to the updater.
    mutating func beginUpdate(_ request: OTARequest, at now: Instant, actions: inout [Action]) -> UpdateStart {
        actions.append(.log(.info, "OTA request accepted for " + request.url + " (updater not integrated yet)"))
        return .accepted
    }

    /// `{"action":"check"}`: fetch the manifest and install what it names if it is newer.
    mutating func checkManifest(at now: Instant, actions: inout [Action]) {
        actions.append(.log(.info, "OTA manifest check requested (updater not integrated yet)"))
    }

    /// Download progress for the updater.
    mutating func handleDownload(_ event: DownloadEvent, at now: Instant, actions: inout [Action]) {
        ignore("download event (no update running)", actions: &actions)
    }

    /// After `.powerOn`: where the updater confirms or rolls back a PENDING_VERIFY image.
    mutating func otaDidBoot(_ boot: BootInfo, at now: Instant, actions: inout [Action]) {}

    /// After CONNACK: the point at which a new image has proven it can reach the backend.
    mutating func otaBrokerConnected(at now: Instant, actions: inout [Action]) {}

    /// The updater's own timers.
    var otaDeadline: Instant? { nil }
    mutating func otaTick(at now: Instant, actions: inout [Action]) {}

    /// Reported state is `updating` while this is true.
    var otaIsUpdating: Bool { false }

    /// The `ota` member of heartbeats (progress), nil for none.
    var otaHeartbeatObject: JSONValue? { nil }
}
