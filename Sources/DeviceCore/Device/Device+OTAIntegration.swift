// OTA INTEGRATION POINT: the rest of `Device` calls only these. The updater (`OTAUpdater`) does the
// work; here its actions are performed in the device's context (a reboot is promised so the
// `rebooting` status leaves first), refusals become status reports, and download events are routed
// by what the channel is fetching (`DownloadUse`). The manifest check is in Device+Manifest.swift.

/// How the updater answered a request to install firmware.
enum UpdateStart: Equatable {
    case accepted
    /// Not now or not this image; `status` is the HTTP status for local requests (409 busy, 400 refused).
    case refused(status: Int, reason: String)
}

extension Device {
    /// Hands an install request (MQTT command, manifest, `POST /update`, `POST /test_update`) to the updater.
    mutating func beginUpdate(_ request: OTARequest, at now: Instant, actions: inout [Action]) -> UpdateStart {
        if let busy = otaBusyReason() {
            actions.append(.log(.warning, "ota: request for " + request.url + " refused: " + busy))
            return .refused(status: 409, reason: busy)
        }
        let running = runningVersion(comparedWith: request.version)
        ota.target = request.version
        runUpdater(at: now, actions: &actions) { $0.start(request, running: running, at: now) }
        guard ota.isTransferring else {
            return .refused(status: 400, reason: ota.updater?.lastError?.reason ?? "refused")
        }
        ota.report = nil
        counters.otaUpdatesStarted += 1
        return .accepted
    }

    /// Why a new request cannot start now (409), nil when the updater is free.
    func otaBusyReason() -> String? {
        guard case .station = mode else { return "no network to download from (access point mode)" }
        guard let updater = ota.updater else { return "updater not running" }
        if case .manifest = ota.download { return OTAError.busy(state: "checking manifest").reason }
        switch updater.state {
        case .idle: return nil
        case .pendingVerify: return OTAError.runningImageNotConfirmed.reason
        default: return OTAError.busy(state: updater.state.name).reason
        }
    }

    /// Download events, to whichever fetch owns the channel.
    mutating func handleDownload(_ event: DownloadEvent, at now: Instant, actions: inout [Action]) {
        switch ota.download {
        case .none: ignore("download event (nothing is downloading)", actions: &actions)
        case .image: runUpdater(at: now, actions: &actions) { $0.handle(event, at: now) }
        case .manifest(let fetch): manifestEvent(event, fetch, at: now, actions: &actions)
        }
    }

    /// After `.powerOn`: a fresh updater from the bootloader's report; a rollback is logged and owed
    /// to the status topic; a PENDING_VERIFY image waits for the broker.
    mutating func otaDidBoot(_ boot: BootInfo, at now: Instant, actions: inout [Action]) {
        let state = boot.ota ?? OTABootState(assuming: boot)
        ota = DeviceOTA(updater: OTAUpdater(config: config.otaConfig, boot: state, at: now))
        if let from = boot.rolledBackFrom {
            // The abandoned build by the name it was installed under: the latest commit to another slot.
            nvs.rolledBackRelease = nvs.installedReleases.last { $0.slot != boot.slot }?.name ?? from
            counters.otaRollbacks += 1
            ota.report = .rolledBack(from: from, cause: state.rollbackCause)
            actions.append(.log(.error, "ota: rolled back from " + from + " (" + (state.rollbackCause?.name ?? "unknown")
                                + "), running " + boot.firmwareVersion))
        }
        if case .pendingVerify(let deadline)? = ota.updater?.state {
            actions.append(.log(.info, "ota: " + boot.firmwareVersion + " is PENDING_VERIFY: confirming once the broker is reached (within "
                                + decimal((deadline - now).milliseconds) + " ms)"))
        }
        if config.manifestURL != nil, config.manifestPollInterval != nil { ota.nextPoll = now + nextPollWait() }
    }

    /// After CONNACK: the new image has proven it reaches the backend, so it is marked VALID.
    mutating func otaBrokerConnected(at now: Instant, actions: inout [Action]) {
        guard case .pendingVerify? = ota.updater?.state else { return }
        runUpdater(at: now, actions: &actions) { $0.confirmRunningImage(at: now) }
        counters.otaConfirmed += 1
        actions.append(.log(.info, "ota: firmware " + firmwareVersion + " confirmed"))
    }

    /// The updater's timers, the manifest download's stall timer and the next poll.
    var otaDeadline: Instant? { otaSummary.deadline }

    mutating func otaTick(at now: Instant, actions: inout [Action]) {
        guard let due = otaSummary.deadline, due <= now else { return }
        if let deadline = ota.updater?.deadline, deadline <= now {
            runUpdater(at: now, actions: &actions) { $0.tick(at: now) }
        }
        manifestTick(at: now, actions: &actions)
    }
}
