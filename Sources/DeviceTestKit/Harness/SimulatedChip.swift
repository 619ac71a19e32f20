import DeviceCore

/// A chip for OTA updater tests: the kit's `Chip` (NOR flash and eFuses that survive reboots, the
/// bootloader) and the app's `OTAUpdater` alone, driven by a virtual clock. Flash actions are
/// performed by the chip as any host does; every one is also logged, app's and bootloader's apart.
public struct SimulatedChip<Crypto: DeviceCrypto> {
    /// The chip model underneath.
    public var hardware: Chip<Crypto, NORFlash>
    public let config: OTAConfig
    public var now = Instant(milliseconds: 1_000_000)
    public var updater: OTAUpdater<Crypto>!
    public var boot: BootOutcome!
    /// Every flash operation performed by the app since the chip was made, in order.
    public var appFlashLog: [FlashOperation] = []
    public var bootFlashLog: [FlashOperation] = []
    /// Actions other than flash, in order (downloads, reboots, logs).
    public var actions: [Action] = []
    public var rebootRequested = false
    /// Every refusal the updater answered with, in order (busy ones included).
    public var refusals: [OTAError] = []

    public init(config: OTAConfig, efuses: EFuses = EFuses()) {
        self.config = config
        hardware = Chip(ota: config, efuses: efuses)
    }

    public var flash: NORFlash {
        get { hardware.flash }
        set { hardware.flash = newValue }
    }

    public var efuses: EFuses {
        get { hardware.efuses }
        set { hardware.efuses = newValue }
    }

    public var bootloader: Bootloader<Crypto> { hardware.bootloader }

    /// Writes `image` to a slot as a factory flash would (`idf.py flash` of ota_0).
    public mutating func install(_ image: [UInt8], slot: Int) throws {
        try hardware.install(image, slot: slot)
    }

    /// Runs the bootloader and starts the app's updater.
    @discardableResult
    public mutating func powerOn() throws -> BootInfo {
        guard hardware.powerOn() != nil, let outcome = hardware.lastBoot else {
            throw hardware.bootFailure ?? .noBootableApp(log: [])
        }
        bootFlashLog += outcome.flashOperations
        boot = outcome
        rebootRequested = false
        updater = OTAUpdater(config: config, boot: OTABootState(outcome: outcome, efuses: hardware.efuses), at: now)
        return outcome.bootInfo
    }

    /// Performs the updater's actions: flash and eFuses on the chip (a refused flash operation is
    /// a firmware bug and stops the test), the rest recorded.
    public mutating func perform(_ list: [Action]) {
        for action in list {
            if case let .flash(op) = action { appFlashLog.append(op) }
            switch hardware.perform(action) {
            case .done:
                break
            case .refused(let error):
                preconditionFailure("the updater asked for a flash operation the chip refuses: " + error.reason)
            case .notChip:
                if case .reboot = action { rebootRequested = true }
                actions.append(action)
            }
        }
    }

    /// Performs one updater answer: its actions, then the restart it asks for, recorded as the
    /// `.reboot` a device performs for it (`rebootRequested`).
    public mutating func perform(_ output: OTAUpdater<Crypto>.Output) {
        perform(output.actions)
        if output.notice != nil { perform([.reboot(.software)]) }
        if let refusal = output.refusal { refusals.append(refusal) }
    }

    public mutating func start(_ request: OTARequest, running: String) {
        perform(updater.start(request, running: running, at: now))
    }

    public mutating func send(_ event: DownloadEvent) {
        perform(updater.handle(event, at: now))
    }

    public mutating func advance(by span: TimeSpan) {
        now = now + span
        if let deadline = updater.deadline, deadline <= now { perform(updater.tick(at: now)) }
    }

    /// The download ranges the updater asked for, in order.
    public var downloadStarts: [Int] {
        actions.compactMap { if case let .startDownload(_, start) = $0 { return start } else { return nil } }
    }

    /// Serves `file` from `start` in chunks, 10 ms apart; stops after `limit` bytes without finishing.
    public mutating func serve(_ file: [UInt8], from start: Int = 0, chunk: Int = 16 * 1024, status: Int? = nil, limit: Int? = nil) {
        let code = status ?? (start > 0 ? 206 : 200)
        let body = code == 206 ? start : 0
        send(.response(status: code, contentLength: file.count - body, rangeStart: body))
        var i = body
        let end = limit.map { min(file.count, body + $0) } ?? file.count
        while i < end, case .downloading = updater.state {
            send(.data(Array(file[i..<min(i + chunk, end)])))
            i += chunk
            now = now + .milliseconds(10)
        }
        if limit == nil, case .downloading = updater.state { send(.finished) }
    }

    /// Runs the pending verification tick (the host ticks right away when asked).
    public mutating func runDeadlines() {
        if let deadline = updater.deadline, deadline <= now { perform(updater.tick(at: now)) }
    }

    public var otadata: OTAData { hardware.otadata }
}
