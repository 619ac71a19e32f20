/// The updater's actions performed in the device's context.
extension Device {
    /// Runs one updater call and performs its actions as the device: a reboot becomes a promised
    /// restart (the `rebooting` status goes out first), a new refusal is owed to the status topic,
    /// and the download channel follows the updater's state.
    mutating func runUpdater(at now: Instant, actions: inout [Action],
                             _ body: (inout OTAUpdater<Crypto>) -> OTAUpdater<Crypto>.Output) {
        guard ota.updater != nil else { return }
        // In place, through the box: no copy of the updater (or of its transfer's checks).
        let out = body(&ota.updater!)
        performUpdaterActions(out, at: now, actions: &actions)
    }

    /// The part of `runUpdater` every call shares, compiled once rather than once per closure.
    @inline(never)
    private mutating func performUpdaterActions(_ out: OTAUpdater<Crypto>.Output, at now: Instant,
                                                actions: inout [Action]) {
        guard let updater = ota.updater else { return }
        actions.append(contentsOf: out.actions)
        if let restart = out.notice {
            if case .updateInstalled(let slot) = restart {
                counters.otaImagesCommitted += 1
                nvs.setRelease(ota.target, slot: slot)  // the name this build answers to from now on
            }
            scheduleReboot(.software, at: now, actions: &actions)
        }
        if let error = out.refusal, error != .busy(state: updater.state.name) {
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
