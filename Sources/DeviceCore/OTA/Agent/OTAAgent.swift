/// The device's OTA, one machine: the manifest check and the image download over the device's one
/// download channel, the updater that writes and commits the image, the confirmation of a new
/// image after a restart, and what the status topic says about all of it. `Device` routes OTA
/// events here and performs what comes back (`MachineOutput`: actions, a typed refusal, a restart).
///
/// Memory: an idle agent holds nothing out of line. Its working state (`Active`: the updater, a
/// manifest download, a result owed) is allocated by the first event that needs it (a command, a
/// check, a poll, a boot into a new or rolled-back image) and dropped when the agent is idle again;
/// in between the agent keeps only the updater's inputs (`Resting`) and the next poll in line.
struct OTAAgent<Crypto: DeviceCrypto>: Sendable {
    /// What happens to the agent.
    enum Event: Sendable {
        /// Install an image (MQTT command, `POST /update`, `POST /test_update`).
        case install(OTARequest)
        /// Fetch the backend's manifest and install what it offers if newer.
        case checkManifest
        /// The download channel's progress, for whichever fetch owns it.
        case download(DownloadEvent)
        /// The broker accepted the device: a PENDING_VERIFY image has proven itself.
        case brokerConnected
        /// Time passed (at or after `deadline`).
        case tick
    }

    typealias Output = MachineOutput<OTARefusal, OTANotice>

    /// What the hot paths (deadline, tick, reported state, heartbeat) read, in line: refreshed from
    /// the agent's state after every change, never written by anyone else.
    private(set) var summary = OTASummary()
    /// When the periodic manifest poll runs next; nil when polling is off.
    var nextPoll: Instant?
    /// The updater's inputs while nothing is allocated.
    private var resting: Resting = .assumed(slot: nil, pendingVerify: false)
    /// The working state; nil while idle (see the type's comment).
    var storage: OutOfLine<Active>?

    /// The working state of an agent that is not idle.
    struct Active: Sendable {
        var updater: OTAUpdater<Crypto>
        /// The manifest being fetched over the download channel, nil when none is.
        var manifest: ManifestFetch?
        /// Release name of the image being installed (heartbeats while downloading and rebooting).
        var target: String?
        /// A result the next status publish carries, once.
        var report: OTAReport?

        /// Nothing here that the in-line `Resting` cannot rebuild: the box can go.
        var isDisposable: Bool {
            guard case .idle = updater.state else { return false }
            return manifest == nil && report == nil
        }
    }

    /// What rebuilds an idle updater without a box: the boot state as the bootloader left it, or as
    /// a host that models no flash implies it (`OTABootState(assuming:)`, built only when needed).
    enum Resting: Sendable {
        case assumed(slot: Int?, pendingVerify: Bool)
        case known(OTABootState)
    }

    /// An agent before the first power-on: idle, nothing allocated.
    init() {}

    // MARK: - The one definition of each state question

    /// An update is under way, from its first request until the restart that boots it
    /// (`OTAUpdater.State.isTransferring`). The device reports `updating` from it.
    var isTransferring: Bool { summary.isTransferring }

    /// The download channel fetches the manifest (not an image): hosts count the request apart.
    var isCheckingManifest: Bool { storage?.value.manifest != nil }

    /// Neither an update nor a check runs: a poll may start one.
    var isIdle: Bool {
        guard let active = storage?.value else { return true }
        guard case .idle = active.updater.state else { return false }
        return active.manifest == nil
    }

    /// The updater's timers, the manifest download's stall timer and the next poll; nil: none.
    var deadline: Instant? { summary.deadline }

    /// Whether the agent holds its working state out of line now (false for an idle device).
    var isAllocated: Bool { storage != nil }

    /// The updater as it stands (a copy, for inspection); nil while idle with nothing allocated.
    var updater: OTAUpdater<Crypto>? { storage?.value.updater }

    // MARK: - Routing

    /// One event: routed to the manifest fetch, the updater or the poll, and answered with the
    /// actions, the refusal (typed) and a restart to promise.
    mutating func handle(_ event: Event, at now: Instant, device: OTAContext, random: inout SeededRandom,
                         counters: inout DeviceCounters) -> Output {
        var out = Output()  // empty: an event that changes nothing allocates nothing
        switch event {
        case .install(let request): install(request, at: now, device: device, counters: &counters, into: &out)
        case .checkManifest: checkManifest(at: now, device: device, counters: &counters, into: &out)
        case .download(let e): download(e, at: now, device: device, counters: &counters, into: &out)
        case .brokerConnected: brokerConnected(at: now, device: device, counters: &counters, into: &out)
        case .tick: tick(at: now, device: device, random: &random, counters: &counters, into: &out)
        }
        settle()
        return out
    }

    /// Download events, to whichever fetch owns the channel; with none, the event is illegal.
    private mutating func download(_ event: DownloadEvent, at now: Instant, device: OTAContext,
                                   counters: inout DeviceCounters, into out: inout Output) {
        guard let active = storage?.value else { return out.refuse(.nothingDownloading) }
        if let fetch = active.manifest {
            manifestEvent(event, fetch, at: now, device: device, counters: &counters, into: &out)
        } else if active.updater.state.usesDownloadChannel {
            runUpdater(at: now, counters: &counters, into: &out) { $0.handle(event, at: now) }
        } else {
            out.refuse(.nothingDownloading)
        }
    }

    /// After CONNACK: the new image has proven it reaches the backend, so it is marked VALID.
    private mutating func brokerConnected(at now: Instant, device: OTAContext, counters: inout DeviceCounters,
                                          into out: inout Output) {
        guard let active = storage?.value, case .pendingVerify = active.updater.state else { return }
        runUpdater(at: now, counters: &counters, into: &out) { $0.confirmRunningImage(at: now) }
        counters.otaConfirmed += 1
        out.actions.append(.log(.info, "ota: firmware " + device.firmwareVersion + " confirmed"))
    }

    /// The updater's timers, then the manifest download's and the poll.
    private mutating func tick(at now: Instant, device: OTAContext, random: inout SeededRandom,
                               counters: inout DeviceCounters, into out: inout Output) {
        guard let due = summary.deadline, due <= now else { return }
        if let deadline = storage?.value.updater.deadline, deadline <= now {
            runUpdater(at: now, counters: &counters, into: &out) { $0.tick(at: now) }
        }
        manifestTick(at: now, device: device, random: &random, counters: &counters, into: &out)
    }

    // MARK: - The working state

    /// The working state, allocated from `Resting` when there is none.
    mutating func activate(config: OTAConfig, at now: Instant) {
        guard storage == nil else { return }
        let boot: OTABootState
        switch resting {
        case let .assumed(slot, pending):
            boot = OTABootState(assuming: BootInfo(slot: slot, firmwareVersion: "", pendingVerify: pending))
        case .known(let state): boot = state
        }
        storage = OutOfLine(Active(updater: OTAUpdater(config: config, boot: boot, at: now)))
    }

    /// The working state (it must exist: `activate` first); written in place through the box.
    // A plain getter, not `_read`: a borrow yielded through the force-unwrapped optional was
    // over-released (a crash in `swift_retain` reading `active.updater.config`).
    var active: Active {
        get { storage!.value }
        _modify { yield &storage!.value }
    }

    /// After every change: an idle agent keeps what rebuilds its updater in line and frees its box;
    /// the summary follows the state.
    mutating func settle() {
        if let active = storage?.value, active.isDisposable {
            let u = active.updater
            resting = .known(OTABootState(slot: u.runningSlot, pendingVerify: false, otadata: u.otadata, efuses: u.efuses,
                                          runningSecureVersion: u.runningSecureVersion))
            storage = nil
        }
        summary = OTASummary(storage?.value, poll: nextPoll)
    }

    /// A new power cycle: RAM is gone; what the bootloader reported rebuilds the updater.
    mutating func reset(_ boot: BootInfo, nextPoll: Instant?) {
        storage = nil
        resting = boot.ota.map { .known($0) } ?? .assumed(slot: boot.slot, pendingVerify: boot.pendingVerify)
        self.nextPoll = nextPoll
    }
}

extension OTAUpdater.State {
    /// An update is under way: from the first request until the restart that boots it. The one
    /// definition of "transferring": the `updating` state, progress in heartbeats, the fleet's count.
    var isTransferring: Bool {
        switch self {
        case .idle, .pendingVerify: return false
        case .awaitingResponse, .downloading, .awaitingRetry, .verifying, .awaitingReboot: return true
        }
    }

    /// The download channel belongs to this update (it is transferring and not yet committed).
    var usesDownloadChannel: Bool {
        if case .awaitingReboot = self { return false }
        return isTransferring
    }
}

extension MachineOutput {
    /// Records the answer's refusal (the first, should one event cause two).
    mutating func refuse(_ refusal: Refusal) {
        if self.refusal == nil { self.refusal = refusal }
    }
}
