/// OTA as the device routes it: requests, download events, CONNACK and ticks go to the `OTAAgent`
/// (Sources/DeviceCore/OTA/Agent/), which answers with actions, a typed refusal and a restart to
/// promise. Here the answer is performed as the device: the restart is promised (so the
/// `rebooting` status leaves first) and a committed image's release is written to NVS.

/// How the agent answered a request to install firmware or check the manifest.
enum UpdateStart: Equatable {
    case accepted
    /// Not now or not this image; `status` is the HTTP status for local requests (409 busy, 400 refused).
    case refused(status: Int, reason: String)
}

extension Device {
    /// An install request (MQTT command, `POST /update`, `POST /test_update`).
    mutating func beginUpdate(_ request: OTARequest, at now: Instant, actions: inout [Action]) -> UpdateStart {
        answer(routeOTA(.install(request), at: now, actions: &actions))
    }

    /// A manifest check (`{"action":"check"}`, `POST /update` with it).
    mutating func checkManifest(at now: Instant, actions: inout [Action]) -> UpdateStart {
        answer(routeOTA(.checkManifest, at: now, actions: &actions))
    }

    /// Download events belong to OTA: whichever fetch owns the channel.
    mutating func handleDownload(_ event: DownloadEvent, at now: Instant, actions: inout [Action]) {
        routeOTA(.download(event), at: now, actions: &actions)
    }

    /// After CONNACK: a PENDING_VERIFY image has proven it reaches the backend.
    mutating func otaBrokerConnected(at now: Instant, actions: inout [Action]) {
        routeOTA(.brokerConnected, at: now, actions: &actions)
    }

    /// After `.powerOn`: the agent starts the power cycle from the bootloader's report. A rollback
    /// names the abandoned build in NVS by the release it was installed under, so a manifest never
    /// offers it again.
    mutating func otaDidBoot(_ boot: BootInfo, at now: Instant, actions: inout [Action]) {
        ota.boot(boot, at: now, config: config, random: &random, counters: &counters, actions: &actions)
        if let from = boot.rolledBackFrom {
            nvs.rolledBackRelease = nvs.installedReleases.last { $0.slot != boot.slot }?.name ?? from
        }
    }

    /// The agent's timers, when one is due (a summary read otherwise).
    @inline(__always)
    mutating func otaTick(at now: Instant, actions: inout [Action]) {
        guard let due = ota.deadline, due <= now else { return }
        routeOTA(.tick, at: now, actions: &actions)
    }

    /// The agent's next deadline (`OTAAgent.deadline`).
    var otaDeadline: Instant? { ota.deadline }

    /// An update is under way: a download, a wait to retry one, the image's verification or the
    /// restart that boots it (`OTAAgent.isTransferring`). The reported state is `updating` only when
    /// this holds in station mode with no restart pending (`isUpdating`).
    var otaIsTransferring: Bool { ota.isTransferring }

    /// The device reports `updating`: a transfer is under way (`otaIsTransferring`) in station mode
    /// with no restart pending. What the fleet counts as updating and what a `power_loss_during_flash`
    /// fault waits for: the device's own word, as its status topic says it.
    public var isUpdating: Bool { reportedState == .updating }

    /// The download channel is fetching the manifest (not an image): hosts count the request apart.
    public var isCheckingManifest: Bool { ota.isCheckingManifest }

    /// The `ota` member of heartbeats (`OTAAgent.heartbeatObject`).
    @inline(__always)
    var otaHeartbeatObject: JSONValue? { ota.heartbeatObject }

    /// A status message left with the current `ota` object: a result is reported only once.
    @inline(__always)
    mutating func otaStatusPublished() { ota.statusPublished() }

    /// What the agent reads of the device for one event.
    var otaContext: OTAContext {
        var onStation = false, online = false
        if case .station(let s) = mode { (onStation, online) = (true, s.wifi.isConnected) }
        return OTAContext(fixed: fixed, onStation: onStation, online: online, firmwareVersion: firmwareVersion,
                          installedRelease: cycle.installedRelease, rolledBackRelease: nvs.rolledBackRelease)
    }

    /// One event to the agent; its answer performed as the device. Returns the refusal, if any.
    @discardableResult
    mutating func routeOTA(_ event: OTAAgent<Crypto>.Event, at now: Instant, actions: inout [Action]) -> OTARefusal? {
        let out = ota.handle(event, at: now, device: otaContext, random: &random, counters: &counters)
        guard case .restart(let installed, let position)? = out.notice else {
            actions.append(out)
            if case .nothingDownloading? = out.refusal { ignore("download event (nothing is downloading)", actions: &actions) }
            return out.refusal
        }
        actions.append(contentsOf: out.actions[..<position])
        if let installed { nvs.setRelease(installed.release, slot: installed.slot) }  // the name this build answers to from now on
        scheduleReboot(.software, at: now, actions: &actions)
        actions.append(contentsOf: out.actions[position...])
        return out.refusal
    }

    private func answer(_ refusal: OTARefusal?) -> UpdateStart {
        refusal.map { .refused(status: $0.httpStatus, reason: $0.reason) } ?? .accepted
    }
}
