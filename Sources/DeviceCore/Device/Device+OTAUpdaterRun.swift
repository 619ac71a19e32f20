/// The updater's actions performed in the device's context.
extension Device {
    /// Runs one updater call and performs its actions as the device: a reboot becomes a promised
    /// restart (the `rebooting` status goes out first), a new refusal is owed to the status topic,
    /// and the download channel follows the updater's state.
    mutating func runUpdater(at now: Instant, actions: inout [Action],
                             _ body: (inout OTAUpdater<Crypto>) -> [Action]) {
        guard let refusals = ota.updater?.refusals else { return }
        // In place, through the box: no copy of the updater (or of its transfer's checks).
        let out = body(&ota.updater!)
        performUpdaterActions(out, refusalsBefore: refusals, at: now, actions: &actions)
    }

    /// The part of `runUpdater` every call shares, compiled once rather than once per closure.
    @inline(never)
    private mutating func performUpdaterActions(_ out: [Action], refusalsBefore refusals: Int, at now: Instant,
                                                actions: inout [Action]) {
        guard let updater = ota.updater else { return }
        for action in out {
            if case .reboot(let reason) = action {
                if case .awaitingReboot(.updateInstalled(let slot)) = updater.state {
                    counters.otaImagesCommitted += 1
                    nvs.setRelease(ota.target, slot: slot)  // the name this build answers to from now on
                }
                scheduleReboot(reason, at: now, actions: &actions)
            } else {
                actions.append(action)
            }
        }
        if updater.refusals != refusals, let error = updater.lastError {
            counters.countRefusal(error.kind)
            ota.report = .failed(error: error.reason, version: ota.target)
            ota.target = nil
        }
        switch updater.state {
        case .awaitingResponse, .downloading, .awaitingRetry, .verifying: ota.download = .image
        default: if case .image = ota.download { ota.download = .none }
        }
    }
}
