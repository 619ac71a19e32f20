/// The app side of an update, as a sans-IO state machine: the device feeds it triggers, download
/// events and ticks with the time, and performs the actions it returns (download, erase/write
/// flash, log) and the restart it asks for (`Output.notice`). It streams the image into the inactive slot, validates as bytes arrive,
/// resumes dropped downloads by offset, and only then points otadata at the new slot. After the
/// reboot it waits for the new image to prove itself (broker reachable) or lets it roll back.
public struct OTAUpdater<Crypto: DeviceCrypto>: Sendable {
    public let config: OTAConfig
    public internal(set) var state: State = .idle
    /// otadata as this app last wrote or read it.
    public internal(set) var otadata: OTAData
    public private(set) var efuses: EFuses
    public let runningSlot: Int?
    let runningSecureVersion: UInt32
    /// The last refusal that ended an update (not a `busy` one); cleared when an update starts.
    /// Each refusal also comes back once, in the `Output` of the event that caused it.
    public internal(set) var lastError: OTAError?

    /// Actions, the refusal of the event (if any) and the restart the updater asks for: after a
    /// commit, an unconfirmed image's deadline or a rejection. The owner promises the restart.
    public typealias Output = MachineOutput<OTAError, RebootReason>

    /// Starts after a boot; a PENDING_VERIFY image opens the confirmation window at `now`.
    public init(config: OTAConfig, boot: OTABootState, at now: Instant) {
        self.config = config
        self.otadata = boot.otadata
        self.efuses = boot.efuses
        self.runningSlot = boot.slot
        self.runningSecureVersion = boot.runningSecureVersion
        if boot.pendingVerify { state = .pendingVerify(deadline: now + config.confirmWithin) }
    }

    /// The earliest time `tick` has something to do.
    public var deadline: Instant? {
        switch state {
        case .idle, .awaitingReboot: return nil
        case let .awaitingResponse(t), let .downloading(t): return min(t.lastActivity + config.stallTimeout, t.deadline)
        case let .awaitingRetry(t, at): return min(at, t.deadline)
        case let .verifying(_, since): return since
        case let .pendingVerify(deadline): return deadline
        }
    }

    /// State, bytes written, total and percent for heartbeats.
    public var progress: OTAProgress {
        switch state {
        case let .awaitingResponse(t), let .downloading(t), let .awaitingRetry(t, _), let .verifying(t, _):
            let percent = t.total.flatMap { $0 > 0 ? min(100, t.written * 100 / $0) : nil }
            return OTAProgress(state: state.name, bytes: t.written, total: t.total, percent: percent)
        default:
            return OTAProgress(state: state.name, bytes: 0, total: nil, percent: nil)
        }
    }

    /// The slot `esp_ota_get_next_update_partition` picks: the one after the running slot.
    public var targetSlot: Int? {
        let count = config.partitions.otaSlots.count
        if count == 0 { return nil }
        return runningSlot.map { ($0 + 1) % count } ?? 0
    }

    /// A trigger asks to install `request` while `running` (release name) runs.
    public mutating func start(_ request: OTARequest, running: String, at now: Instant) -> Output {
        switch state {
        case .idle: break
        case .pendingVerify: return refuse(.runningImageNotConfirmed, cancel: false, keepState: true, record: true)
        default: return refuse(.busy(state: state.name), cancel: false, keepState: true)
        }
        switch UpdateDecision.decide(offered: request.version, running: running, force: request.force) {
        case .install: break
        case let .notNewer(offered, running): return refuse(.notNewer(offered: offered, running: running), cancel: false)
        case .unknownVersion: return refuse(.unknownVersion, cancel: false)
        }
        guard let index = targetSlot else { return refuse(.noTargetSlot, cancel: false) }
        let slot = config.partitions.otaSlots[index]
        if let size = request.size, size > slot.size { return refuse(.tooLarge(size: size, slotSize: slot.size), cancel: false) }
        lastError = nil
        state = .awaitingResponse(newTransfer(request, slotIndex: index, slot: slot, at: now))
        return Output([.log(.info, "ota: downloading " + request.url + " into " + slot.name),
                       .startDownload(url: request.url, rangeStart: 0)])
    }

    /// The running PENDING_VERIFY image reached the broker: mark it VALID (and burn its secure
    /// version when anti-rollback is on). Ignored in any other state.
    public mutating func confirmRunningImage(at now: Instant) -> Output {
        guard case .pendingVerify = state else { return Output() }
        state = .idle
        var actions: [Action] = [.log(.info, "ota: running image confirmed valid")]
        if let w = otadata.markingActive(.valid) {
            actions += writeOTAData(w.sector, w.entry)
        }
        if config.antiRollbackEnabled && runningSecureVersion > efuses.secureVersion {
            efuses.burnSecureVersion(runningSecureVersion)
            actions.append(.burnSecureVersion(runningSecureVersion))
        }
        return Output(actions)
    }

    /// The app found its new image broken: mark it INVALID and reboot into the previous slot.
    public mutating func rejectRunningImage(at now: Instant) -> Output {
        guard case .pendingVerify = state, let w = otadata.markingActive(.invalid) else {
            return Output([.log(.warning, "ota: no unconfirmed image to reject")])
        }
        state = .awaitingReboot(.rejected)
        return Output([.log(.error, "ota: running image rejected, rolling back")] + writeOTAData(w.sector, w.entry),
                      notice: .rejected)
    }

    func newTransfer(_ request: OTARequest, slotIndex: Int, slot: Partition, at now: Instant) -> Transfer {
        let policy = ImageValidator<Crypto.Hasher>.Policy(chip: config.chip, slotSize: slot.size, strict: true,
                                                          hashSignedData: signaturesRequired, chipRevision: config.chipRevision)
        return Transfer(request: request, slotIndex: slotIndex, slot: slot, validator: ImageValidator(policy: policy),
                        fileHasher: request.sha256 == nil ? nil : Crypto.Hasher(), total: request.size, lastActivity: now,
                        deadline: now + config.downloadDeadline)
    }

    var signaturesRequired: Bool { config.requireSignature || efuses.secureBootEnabled }

    mutating func writeOTAData(_ sector: Int, _ entry: OTASelectEntry) -> [Action] {
        otadata = otadata.applying(sector: sector, entry: entry)
        let base = config.partitions.otaData?.offset ?? 0xD000
        return OTAData.flashOperations(partitionOffset: base, sector: sector, entry: entry).map { .flash($0) }
    }

    /// A refusal: back to idle (unless told to keep the current state, e.g. an update in
    /// progress or an image awaiting confirmation), logged, nothing committed, the error in the output.
    mutating func refuse(_ error: OTAError, cancel: Bool, keepState: Bool = false, record: Bool? = nil) -> Output {
        if record ?? !keepState { lastError = error }
        if !keepState { state = .idle }
        var actions: [Action] = cancel ? [.cancelDownload] : []
        actions.append(.log(.error, "ota: refused: " + error.reason))
        return Output(actions, refusal: error)
    }
}
