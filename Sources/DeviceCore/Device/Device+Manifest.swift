/// The manifest check (`{"action":"check"}`, `POST /update` with it, the periodic poll): fetch the
/// backend's manifest over the download channel, parse it, and install what it names when it is
/// newer than the running firmware (`ManifestCheck`).
extension Device {
    /// Starts fetching `config.manifestURL`; refused when none is configured or the updater is busy.
    mutating func checkManifest(at now: Instant, actions: inout [Action]) -> UpdateStart {
        guard let url = config.manifestURL else {
            actions.append(.log(.warning, "ota: manifest check refused: no manifest URL configured"))
            return .refused(status: 400, reason: "no manifest URL configured")
        }
        if let busy = otaBusyReason() {
            actions.append(.log(.warning, "ota: manifest check refused: " + busy))
            return .refused(status: 409, reason: busy)
        }
        counters.manifestChecks += 1
        let limit = ota.updater?.config.downloadDeadline ?? config.ota.downloadDeadline
        ota.download = .manifest(ManifestFetch(url: url, lastActivity: now, deadline: now + limit))
        actions.append(.log(.info, "ota: checking manifest " + url))
        actions.append(.startDownload(url: url, rangeStart: 0))
        return .accepted
    }

    /// One download event of the manifest fetch: bounded collection, then the decision.
    mutating func manifestEvent(_ event: DownloadEvent, _ fetch: ManifestFetch, at now: Instant, actions: inout [Action]) {
        var fetch = fetch
        fetch.lastActivity = now
        let limit = config.httpBodyLimit
        switch event {
        case let .response(status, length, _):
            guard status == 200 else { return manifestFailed("HTTP status " + decimal(Int64(status)), kind: "http_status", cancel: true, actions: &actions) }
            if let length, length > limit { return manifestFailed("larger than " + decimal(Int64(limit)) + " bytes", kind: "too_large", cancel: true, actions: &actions) }
            fetch.status = status
        case .data(let bytes):
            guard fetch.status != nil else { return manifestFailed("body before response headers", kind: "malformed", cancel: true, actions: &actions) }
            guard fetch.body.count + bytes.count <= limit else {
                return manifestFailed("larger than " + decimal(Int64(limit)) + " bytes", kind: "too_large", cancel: true, actions: &actions)
            }
            fetch.body.append(contentsOf: bytes)
        case .finished:
            ota.download = .none
            return manifestReceived(fetch.body, at: now, actions: &actions)
        case .failed(let failure):
            let kind: String
            if case .httpStatus = failure { kind = "http_status" } else { kind = "download_failed" }
            return manifestFailed("download " + failure.name, kind: kind, cancel: false, actions: &actions)
        }
        ota.download = .manifest(fetch)
    }

    /// A complete manifest: install what it offers if newer, else note that the device is up to date.
    mutating func manifestReceived(_ body: [UInt8], at now: Instant, actions: inout [Action]) {
        let manifest: FirmwareManifest
        do { manifest = try OTACommandParser(maxBytes: config.httpBodyLimit).manifest(body) } catch {
            return manifestFailed(error.reason, kind: error.kind, cancel: false, actions: &actions)
        }
        if let rejected = nvs.rolledBackRelease, sameRelease(manifest.version, rejected) {
            actions.append(.log(.warning, "ota: manifest offers " + manifest.version + ", which this device rolled back from: not installed again"))
            return
        }
        let running = runningVersion(comparedWith: manifest.version)
        switch ManifestCheck.request(version: manifest.version, firmwareURL: manifest.firmwareURL, running: running) {
        case .success(let request):
            actions.append(.log(.info, "ota: manifest offers " + manifest.version + ", running " + firmwareVersion))
            _ = beginUpdate(request, at: now, actions: &actions)
        case .failure(.upToDate(_, let offered)):
            actions.append(.log(.info, "ota: manifest offers " + offered + ", running " + firmwareVersion + ": up to date"))
        case .failure(.noFirmwareURL):
            manifestFailed("no firmware_url", kind: "missing_field", cancel: false, actions: &actions)
        }
    }

    /// The check is over without an update: logged, counted by `kind` (`http_status`, `too_large`,
    /// `download_failed`, `stalled`, or the parser's `OTACommandError.kind`); the channel is free again.
    mutating func manifestFailed(_ reason: String, kind: String, cancel: Bool, actions: inout [Action]) {
        ota.download = .none
        counters.countManifestFailure(kind)
        if cancel { actions.append(.cancelDownload) }
        actions.append(.log(.warning, "ota: manifest check failed: " + reason))
    }

    /// A stalled manifest download is abandoned; a due poll starts a check when the device is free.
    mutating func manifestTick(at now: Instant, actions: inout [Action]) {
        if case .manifest(let fetch) = ota.download, let u = ota.updater {
            if fetch.deadline <= now {
                manifestFailed("not complete within " + decimal(u.config.downloadDeadline.milliseconds / 1000) + " s", kind: "deadline", cancel: true,
                               actions: &actions)
            } else if fetch.lastActivity + u.config.stallTimeout <= now {
                manifestFailed("stalled", kind: "stalled", cancel: true, actions: &actions)
            }
        }
        guard let poll = ota.nextPoll, poll <= now, config.manifestPollInterval != nil else { return }
        ota.nextPoll = now + nextPollWait()
        guard case .station(let station) = mode, station.wifi.isConnected, ota.isIdle else {
            actions.append(.log(.debug, "ota: manifest poll skipped (offline or busy)"))
            return
        }
        _ = checkManifest(at: now, actions: &actions)
    }

    /// The wait until the next poll: the interval ± the configured jitter, drawn from the device's
    /// seeded random (never below 1 ms). Without jitter no random number is consumed.
    mutating func nextPollWait() -> TimeSpan {
        guard let interval = config.manifestPollInterval else { return .zero }
        let jitter = min(max(config.manifestPollJitter.microseconds, 0), interval.microseconds)
        guard jitter > 0 else { return interval }
        let offset = Int64(random.next(upTo: UInt64(2 * jitter))) - jitter
        return TimeSpan(microseconds: max(1000, interval.microseconds + offset))
    }

    /// The download channel is fetching the manifest (not an image): hosts count the request apart.
    public var isCheckingManifest: Bool {
        if case .manifest = ota.download { return true }
        return false
    }
}
