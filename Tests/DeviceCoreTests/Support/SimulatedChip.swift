import XCTest
@testable import DeviceCore

/// A chip for OTA tests: NOR flash and eFuses that survive reboots, the bootloader, and the app's
/// `OTAUpdater`, driven by a virtual clock. Flash actions are applied as the host would.
struct SimulatedChip<Crypto: DeviceCrypto> {
    var flash = NORFlash()
    var efuses: EFuses
    let bootloader: Bootloader<Crypto>
    let config: OTAConfig
    var now = Instant(milliseconds: 1_000_000)
    var updater: OTAUpdater<Crypto>!
    var boot: BootOutcome!
    /// Every flash operation performed by the app since the chip was made, in order.
    var appFlashLog: [FlashOperation] = []
    var bootFlashLog: [FlashOperation] = []
    /// Actions other than flash, in order (downloads, reboots, logs).
    var actions: [Action] = []
    var rebootRequested = false

    init(config: OTAConfig, efuses: EFuses = EFuses()) {
        self.config = config
        self.efuses = efuses
        bootloader = Bootloader(chip: config.chip, partitions: config.partitions, rollbackEnabled: config.rollbackEnabled,
                                antiRollbackEnabled: config.antiRollbackEnabled)
    }

    /// Writes `image` to a slot as a factory flash would (`idf.py flash` of ota_0).
    mutating func install(_ image: [UInt8], slot: Int) throws {
        try flash.write(offset: config.partitions.otaSlots[slot].offset, bytes: image)
    }

    /// Runs the bootloader and starts the app's updater.
    @discardableResult
    mutating func powerOn() throws -> BootInfo {
        let outcome = try bootloader.boot(flash: &flash, efuses: &efuses)
        bootFlashLog += outcome.flashOperations
        boot = outcome
        rebootRequested = false
        updater = OTAUpdater(config: config, boot: OTABootState(outcome: outcome, efuses: efuses), at: now)
        return outcome.bootInfo
    }

    mutating func perform(_ list: [Action]) {
        for action in list {
            switch action {
            case let .flash(op):
                appFlashLog.append(op)
                XCTAssertNoThrow(try flash.apply(op))
            case let .burnSecureVersion(v):
                efuses.burnSecureVersion(v)
            case .reboot:
                rebootRequested = true
                actions.append(action)
            default:
                actions.append(action)
            }
        }
    }

    mutating func start(_ request: OTARequest, running: String) {
        perform(updater.start(request, running: running, at: now))
    }

    mutating func send(_ event: DownloadEvent) {
        perform(updater.handle(event, at: now))
    }

    mutating func advance(by span: TimeSpan) {
        now = now + span
        if let deadline = updater.nextDeadline, deadline <= now { perform(updater.tick(at: now)) }
    }

    /// The download ranges the updater asked for, in order.
    var downloadStarts: [Int] {
        actions.compactMap { if case let .startDownload(_, start) = $0 { return start } else { return nil } }
    }

    /// Serves `file` from `start` in chunks, 10 ms apart; stops after `limit` bytes without finishing.
    mutating func serve(_ file: [UInt8], from start: Int = 0, chunk: Int = 16 * 1024, status: Int? = nil, limit: Int? = nil) {
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
    mutating func runDeadlines() {
        if let deadline = updater.nextDeadline, deadline <= now { perform(updater.tick(at: now)) }
    }

    var otadata: OTAData { OTAData.parse((try? flash.read(offset: 0xD000, length: 8192)) ?? []) }
}

/// Images used across the OTA tests.
enum TestImages {
    static func simple(_ version: String, secureVersion: UInt32 = 0, payload: Int = 0, chip: ChipModel = .esp32c6) -> [UInt8] {
        var rng = SeededRandom(seed: UInt64(version.utf8.count) &* 31 &+ UInt64(payload))
        let bytes = (0..<payload).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        return AppImageBuilder.simple(chip: chip, version: version, secureVersion: secureVersion, payload: bytes,
                                      hasher: SoftwareSHA256.self)
    }

    static let realC6Name = "real/firmware_2025.03.25.124759.bin"
    static let realESP32Name = "real/firmware_2025.03.23.184616.bin"
}
