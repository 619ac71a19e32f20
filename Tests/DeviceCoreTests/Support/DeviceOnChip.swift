import XCTest
@testable import DeviceCore

/// A whole `Device` on a simulated chip, as a host would run it: NOR flash and eFuses that survive
/// reboots, the bootloader at every power-on (its `BootInfo` handed to the device), WiFi that always
/// joins, a broker that some firmware versions cannot reach, and a firmware server answering
/// downloads (Range included) from an in-memory table, one chunk per `chunkInterval`. Virtual clock.
struct DeviceOnChip {
    typealias ChipDevice = Device<SoftwareCrypto>

    var device: ChipDevice
    var flash = NORFlash()
    var efuses: EFuses
    let bootloader: Bootloader<SoftwareCrypto>
    var now = DeviceHarness.epoch
    /// URL → body the firmware server answers with.
    var files: [String: [UInt8]] = [:]
    /// Running firmware versions whose MQTT connects fail (a broken build).
    var brokerRefuses: Set<String> = []
    /// The server drops the connection once when a transfer reaches this absolute offset.
    var dropAt: Int?
    /// The server ignores Range headers (answers 200 from byte 0).
    var ignoresRange = false
    var chunkSize = 16 * 1024
    var chunkInterval = TimeSpan.milliseconds(10)
    /// Every action the device returned, in order.
    var log: [Action] = []
    /// Every bootloader run, in order.
    var boots: [BootOutcome] = []
    var bootFailure: BootError?
    /// What the device asked the server for, in order.
    var downloadRequests: [DownloadRequest] = []
    private var transfer: ServerTransfer?
    private var queue: [Event] = []

    struct DownloadRequest: Equatable {
        var url: String
        var rangeStart: Int
    }

    private struct ServerTransfer {
        var body: [UInt8]
        var offset: Int
        var sentHeaders = false
        var nextAt: Instant
    }

    /// A device whose factory flash holds `factoryImage` in ota_0, powered on and run until online.
    init(config: DeviceConfig, factoryImage: [UInt8], efuses: EFuses = EFuses()) throws {
        device = ChipDevice(config: config)
        self.efuses = efuses
        let ota = config.otaConfig
        bootloader = Bootloader(chip: ota.chip, partitions: ota.partitions, rollbackEnabled: ota.rollbackEnabled,
                                antiRollbackEnabled: ota.antiRollbackEnabled)
        try flash.write(offset: ota.partitions.otaSlots[0].offset, bytes: factoryImage)
        boot(.powerOn)
        drain()
    }

    static func config(version: String = "1.0.0") -> DeviceConfig {
        var c = DeviceConfig(baseMAC: DeviceHarness.mac, firmwareVersion: version, randomSeed: 7, wifi: DeviceHarness.homeWiFi)
        c.heartbeatInterval = .seconds(5)
        return c
    }

    // MARK: - Driving

    mutating func send(_ event: Event) {
        queue.append(event)
        drain()
    }

    /// An OTA command on the device's OTA topic.
    mutating func command(_ json: String) {
        send(.mqtt(.message(topic: device.topics.ota, payload: Array(json.utf8))))
    }

    /// A request to the device's web server; the response it gave.
    mutating func request(_ method: HTTPMethod, _ path: String, body: String, id: UInt32 = 1) -> HTTPResponse? {
        let before = log.count
        let headers = method == .post ? [HTTPHeader("Content-Type", "application/json")] : []
        send(.httpRequest(id: id, HTTPRequest(method: method, path: path, headers: headers, body: Array(body.utf8))))
        return Array(log[before...]).response(to: id)
    }

    /// Runs timers and the server until `now + span`.
    mutating func run(for span: TimeSpan) {
        let end = now + span
        while true {
            let deviceAt = device.nextDeadline
            let serverAt = transfer?.nextAt
            guard let next = earliest(deviceAt, serverAt), next <= end else { break }
            now = max(now, next)
            if let s = serverAt, s <= now { serveStep() }
            if let d = device.nextDeadline, d <= now { send(.tick) }
        }
        now = end
    }

    // MARK: - The host's duties

    private mutating func drain() {
        while !queue.isEmpty {
            let event = queue.removeFirst()
            let actions = device.handle(event, at: now)
            log.append(contentsOf: actions)
            for action in actions { perform(action) }
        }
    }

    private mutating func perform(_ action: Action) {
        switch action {
        case let .flash(op):
            XCTAssertNoThrow(try flash.apply(op))
        case let .burnSecureVersion(v):
            efuses.burnSecureVersion(v)
        case let .reboot(reason):
            transfer = nil
            queue.removeAll()
            boot(reason)
        case .wifiConnect:
            queue.append(.wifi(.connected(ip: DeviceHarness.stationIP, rssi: -55)))
        case .mqttConnect:
            queue.append(brokerRefuses.contains(device.firmwareVersion) ? .mqtt(.connectFailed(code: -1)) : .mqtt(.connected))
        case let .startDownload(url, rangeStart):
            downloadRequests.append(DownloadRequest(url: url, rangeStart: rangeStart))
            guard let body = files[url] else {
                queue.append(.download(.failed(.httpStatus(404))))
                return
            }
            transfer = ServerTransfer(body: body, offset: ignoresRange ? 0 : rangeStart, nextAt: now + chunkInterval)
        case .cancelDownload:
            transfer = nil
        default:
            break
        }
    }

    /// The bootloader runs over the flash; the device gets what it booted, or stays dead.
    private mutating func boot(_ reason: ResetReason) {
        do {
            let outcome = try bootloader.boot(flash: &flash, efuses: &efuses)
            boots.append(outcome)
            queue.append(.powerOn(reason, boot: outcome.bootInfo(efuses: efuses)))
        } catch {
            bootFailure = error
        }
    }

    /// One step of the server: headers, one chunk, a drop, or the end of the body.
    private mutating func serveStep() {
        guard var t = transfer else { return }
        t.nextAt = now + chunkInterval
        if !t.sentHeaders {
            t.sentHeaders = true
            transfer = t
            send(.download(.response(status: t.offset > 0 ? 206 : 200, contentLength: t.body.count - t.offset, rangeStart: t.offset)))
        } else if let drop = dropAt, t.offset >= drop {
            dropAt = nil
            transfer = nil
            send(.download(.failed(.connectionLost)))
        } else if t.offset < t.body.count {
            var end = min(t.offset + chunkSize, t.body.count)
            if let drop = dropAt, drop > t.offset { end = min(end, drop) }
            let chunk = Array(t.body[t.offset..<end])
            t.offset = end
            transfer = t
            send(.download(.data(chunk)))
        } else {
            transfer = nil
            send(.download(.finished))
        }
    }

    // MARK: - What the device said

    /// Status messages published, parsed, in order.
    var statuses: [JSONValue] {
        log.publishes(on: device.topics.status).map { $0.json() }
    }

    /// The `ota` objects of status messages, in order.
    var otaReports: [JSONValue] { statuses.compactMap { $0["ota"] } }

    var otadata: OTAData { OTAData.parse((try? flash.read(offset: 0xD000, length: OTAData.partitionSize)) ?? []) }

    /// The image bytes in slot `index`, `length` long.
    func slot(_ index: Int, length: Int) throws -> [UInt8] {
        try flash.read(offset: device.config.otaConfig.partitions.otaSlots[index].offset, length: length)
    }
}
