/// The manifest check (`{"action":"check"}`, `POST /update` with it, the periodic poll): fetch the
/// backend's manifest over the download channel, parse it, and install what it names when it is
/// newer than the running firmware (`ManifestCheck`). The image download is the updater's.
extension OTAAgent {
    /// Starts fetching the manifest; refused when no URL is configured or the agent is busy.
    mutating func checkManifest(at now: Instant, device: OTAContext, counters: inout DeviceCounters,
                                into out: inout Output) {
        guard let url = device.config.manifestURL else {
            out.actions.append(.log(.warning, "ota: manifest check refused: no manifest URL configured"))
            return out.refuse(.noManifestURL)
        }
        if let busy = busyRefusal(device) {
            out.actions.append(.log(.warning, "ota: manifest check refused: " + busy.reason))
            return out.refuse(busy)
        }
        counters.manifestChecks += 1
        let otaConfig = device.config.otaConfig
        activate(config: otaConfig, at: now)
        active.manifest = ManifestFetch(url: url, lastActivity: now, deadline: now + otaConfig.downloadDeadline)
        out.actions.append(.log(.info, "ota: checking manifest " + url))
        out.actions.append(.startDownload(url: url, rangeStart: 0))
    }

    /// One download event of the manifest fetch: bounded collection, then the decision.
    mutating func manifestEvent(_ event: DownloadEvent, _ fetch: ManifestFetch, at now: Instant, device: OTAContext,
                                counters: inout DeviceCounters, into out: inout Output) {
        var fetch = fetch
        fetch.lastActivity = now
        let limit = device.config.httpBodyLimit
        switch event {
        case let .response(status, length, _):
            guard status == 200 else {
                return manifestFailed("HTTP status " + decimal(Int64(status)), kind: "http_status", cancel: true, counters: &counters, into: &out)
            }
            if let length, length > limit { return manifestTooLarge(limit, counters: &counters, into: &out) }
            fetch.status = status
        case .data(let bytes):
            guard fetch.status != nil else {
                return manifestFailed("body before response headers", kind: "malformed", cancel: true, counters: &counters, into: &out)
            }
            guard fetch.body.count + bytes.count <= limit else { return manifestTooLarge(limit, counters: &counters, into: &out) }
            fetch.body.append(contentsOf: bytes)
        case .finished:
            active.manifest = nil
            return manifestReceived(fetch.body, at: now, device: device, counters: &counters, into: &out)
        case .failed(let failure):
            let kind: String
            if case .httpStatus = failure { kind = "http_status" } else { kind = "download_failed" }
            return manifestFailed("download " + failure.name, kind: kind, cancel: false, counters: &counters, into: &out)
        }
        active.manifest = fetch
    }

    /// A complete manifest: install what it offers if newer, else note that the device is up to date.
    private mutating func manifestReceived(_ body: [UInt8], at now: Instant, device: OTAContext,
                                           counters: inout DeviceCounters, into out: inout Output) {
        let manifest: FirmwareManifest
        do { manifest = try OTACommandParser(maxBytes: device.config.httpBodyLimit).manifest(body) } catch {
            return manifestFailed(error.reason, kind: error.kind, cancel: false, counters: &counters, into: &out)
        }
        if let rejected = device.rolledBackRelease, sameRelease(manifest.version, rejected) {
            out.actions.append(.log(.warning, "ota: manifest offers " + manifest.version
                                    + ", which this device rolled back from: not installed again"))
            return out.refuse(.rolledBackRelease(manifest.version))
        }
        let running = device.runningVersion(comparedWith: manifest.version)
        switch ManifestCheck.request(version: manifest.version, firmwareURL: manifest.firmwareURL, running: running) {
        case .success(let request):
            out.actions.append(.log(.info, "ota: manifest offers " + manifest.version + ", running " + device.firmwareVersion))
            install(request, at: now, device: device, counters: &counters, into: &out)
        case .failure(.upToDate(_, let offered)):
            out.actions.append(.log(.info, "ota: manifest offers " + offered + ", running " + device.firmwareVersion + ": up to date"))
        case .failure(.noFirmwareURL):
            manifestFailed("no firmware_url", kind: "missing_field", cancel: false, counters: &counters, into: &out)
        }
    }

    private mutating func manifestTooLarge(_ limit: Int, counters: inout DeviceCounters, into out: inout Output) {
        manifestFailed("larger than " + decimal(Int64(limit)) + " bytes", kind: "too_large", cancel: true, counters: &counters, into: &out)
    }

    /// The check is over without an update: logged, counted by `kind`, refused with it; the channel
    /// is free again.
    @inline(never)
    private mutating func manifestFailed(_ reason: String, kind: String, cancel: Bool, counters: inout DeviceCounters,
                                         into out: inout Output) {
        active.manifest = nil
        counters.countManifestFailure(kind)
        if cancel { out.actions.append(.cancelDownload) }
        out.actions.append(.log(.warning, "ota: manifest check failed: " + reason))
        out.refuse(.manifestFailed(kind: kind, reason: reason))
    }

    /// A stalled manifest download is abandoned; a due poll starts a check when the device is free.
    mutating func manifestTick(at now: Instant, device: OTAContext, random: inout SeededRandom,
                               counters: inout DeviceCounters, into out: inout Output) {
        if let fetch = storage?.value.manifest {
            let limits = active.updater.config
            if fetch.deadline <= now {
                manifestFailed("not complete within " + decimal(limits.downloadDeadline.milliseconds / 1000) + " s",
                               kind: "deadline", cancel: true, counters: &counters, into: &out)
            } else if fetch.lastActivity + limits.stallTimeout <= now {
                manifestFailed("stalled", kind: "stalled", cancel: true, counters: &counters, into: &out)
            }
        }
        guard let poll = nextPoll, poll <= now, device.config.manifestPollInterval != nil else { return }
        nextPoll = now + Self.pollWait(device.config, random: &random)
        guard device.online, isIdle else {
            out.actions.append(.log(.debug, "ota: manifest poll skipped (offline or busy)"))
            return
        }
        checkManifest(at: now, device: device, counters: &counters, into: &out)
    }

    /// The wait until the next poll: the interval ± the configured jitter, drawn from the device's
    /// seeded random (never below 1 ms). Without jitter no random number is consumed.
    static func pollWait(_ config: DeviceConfig, random: inout SeededRandom) -> TimeSpan {
        guard let interval = config.manifestPollInterval else { return .zero }
        let jitter = min(max(config.manifestPollJitter.microseconds, 0), interval.microseconds)
        guard jitter > 0 else { return interval }
        let offset = Int64(random.next(upTo: UInt64(2 * jitter))) - jitter
        return TimeSpan(microseconds: max(1000, interval.microseconds + offset))
    }
}

/// A manifest download in progress.
struct ManifestFetch: Equatable, Sendable {
    var url: String
    /// Response status once headers arrived.
    var status: Int? = nil
    var body: [UInt8] = []
    /// Headers or bytes last arrived at this time; no progress for `stallTimeout` abandons the check.
    var lastActivity: Instant
    /// The fetch is abandoned at this time however it progresses (`OTAConfig.downloadDeadline`).
    var deadline: Instant
}
