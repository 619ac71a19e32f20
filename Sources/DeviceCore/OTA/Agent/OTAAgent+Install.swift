/// Installing an image: the request is checked against what the agent is doing, handed to the
/// updater, and the updater's answer is taken in: its restart becomes the agent's notice, its
/// refusal is counted and owed to the status topic.
extension OTAAgent {
    /// An install request (MQTT command, manifest, `POST /update`, `POST /test_update`).
    mutating func install(_ request: OTARequest, at now: Instant, device: OTAContext, counters: inout DeviceCounters,
                          into out: inout Output) {
        if let busy = busyRefusal(device) {
            out.actions.append(.log(.warning, "ota: request for " + request.url + " refused: " + busy.reason))
            return out.refuse(busy)
        }
        activate(config: device.config.otaConfig, at: now)
        let running = device.runningVersion(comparedWith: request.version)
        active.target = request.version
        runUpdater(at: now, counters: &counters, into: &out) { $0.start(request, running: running, at: now) }
        guard active.updater.state.isTransferring else { return }  // refused: the refusal is in `out`
        active.report = nil
        counters.otaUpdatesStarted += 1
    }

    /// Why a new request cannot start now, nil when the agent is free.
    func busyRefusal(_ device: OTAContext) -> OTARefusal? {
        guard device.onStation else { return .noNetwork }
        guard let active = storage?.value else { return nil }
        if active.manifest != nil { return .checkingManifest }
        switch active.updater.state {
        case .idle: return nil
        case .pendingVerify: return .notConfirmed
        default: return .updateInProgress(state: active.updater.state.name)
        }
    }

    /// Runs one updater call in place and takes in its answer: actions appended, a restart asked
    /// for becomes the agent's notice (a commit counted), a refusal is counted and owed to the
    /// status topic (`busy` ones are answers to a caller, not results).
    mutating func runUpdater(at now: Instant, counters: inout DeviceCounters, into out: inout Output,
                             _ body: (inout OTAUpdater<Crypto>) -> OTAUpdater<Crypto>.Output) {
        // In place, through the box: no copy of the updater (or of its transfer's checks).
        let answer = body(&active.updater)
        take(answer, counters: &counters, into: &out)
    }

    /// The part of `runUpdater` every call shares, compiled once rather than once per closure.
    @inline(never)
    private mutating func take(_ answer: OTAUpdater<Crypto>.Output, counters: inout DeviceCounters, into out: inout Output) {
        out.actions.append(contentsOf: answer.actions)
        if let reason = answer.notice {
            var installed: InstalledImage?
            if case .updateInstalled(let slot) = reason {
                counters.otaImagesCommitted += 1
                installed = InstalledImage(slot: slot, release: storage?.value.target)
            }
            if out.notice == nil { out.notice = .restart(installed: installed, position: out.actions.count) }
        }
        guard let error = answer.refusal else { return }
        if case .busy = error { return out.refuse(.update(error)) }
        counters.countRefusal(error.kind)
        let target = storage?.value.target
        storage?.value.report = .failed(error: error.reason, version: target)
        storage?.value.target = nil
        out.refuse(.update(error))
    }
}
