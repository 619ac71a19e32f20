import DeviceCore

/// A whole `Device` on the kit's chip model, as a host would run it: NOR flash and eFuses that
/// survive reboots, the bootloader at every power-on (its `BootInfo` handed to the device), WiFi
/// that always joins, a broker that some firmware versions cannot reach, and a firmware server
/// answering downloads (Range included) from an in-memory table, one chunk per `chunkInterval`.
/// Virtual clock. A single device with hand-made I/O; `VirtualWorld` is the same with a real
/// broker, origin and links.
public struct DeviceOnChip {
    public typealias ChipDevice = Device<SoftwareCrypto>

    public var device: ChipDevice
    /// The chip model underneath.
    public var chip: Chip<SoftwareCrypto, NORFlash>
    public var now = DeviceHarness.epoch
    /// URL → body the firmware server answers with.
    public var files: [String: [UInt8]] = [:]
    /// Running firmware versions whose MQTT connects fail (a broken build).
    public var brokerRefuses: Set<String> = []
    /// The server drops the connection once when a transfer reaches this absolute offset.
    public var dropAt: Int?
    /// The server ignores Range headers (answers 200 from byte 0).
    public var ignoresRange = false
    public var chunkSize = 16 * 1024
    public var chunkInterval = TimeSpan.milliseconds(10)
    /// Every action the device returned, in order.
    public var log: [Action] = []
    /// Every bootloader run, in order.
    public var boots: [BootOutcome] = []
    public var bootFailure: BootError?
    /// What the device asked the server for, in order.
    public var downloadRequests: [DownloadRequest] = []
    private var transfer: ServerTransfer?
    private var queue: [Event] = []

    public struct DownloadRequest: Equatable {
        public var url: String
        public var rangeStart: Int

        public init(url: String, rangeStart: Int) {
            self.url = url
            self.rangeStart = rangeStart
        }
    }

    private struct ServerTransfer {
        var body: [UInt8]
        var offset: Int
        var sentHeaders = false
        var nextAt: Instant
    }

    /// A device whose factory flash holds `factoryImage` in ota_0, powered on and run until online.
    public init(config: DeviceConfig, factoryImage: [UInt8], efuses: EFuses = EFuses()) throws {
        device = ChipDevice(config: config)
        chip = Chip(ota: config.otaConfig, efuses: efuses)
        try chip.install(factoryImage, slot: 0)
        boot(.powerOn)
        drain()
    }

    public var flash: NORFlash {
        get { chip.flash }
        set { chip.flash = newValue }
    }

    public var efuses: EFuses {
        get { chip.efuses }
        set { chip.efuses = newValue }
    }

    public var bootloader: Bootloader<SoftwareCrypto> { chip.bootloader }

    public static func config(version: String = "1.0.0") -> DeviceConfig {
        var c = DeviceConfig(baseMAC: DeviceHarness.mac, firmwareVersion: version, randomSeed: 7, wifi: DeviceHarness.homeWiFi)
        c.heartbeatInterval = .seconds(5)
        return c
    }

    // MARK: - Driving

    public mutating func send(_ event: Event) {
        queue.append(event)
        drain()
    }

    /// An OTA command on the device's OTA topic.
    public mutating func command(_ json: String) {
        send(.mqtt(.message(topic: device.topics.ota, payload: Array(json.utf8))))
    }

    /// A request to the device's web server; the response it gave.
    public mutating func request(_ method: HTTPMethod, _ path: String, body: String, id: UInt32 = 1) -> HTTPResponse? {
        let before = log.count
        let headers = method == .post ? [HTTPHeader("Content-Type", "application/json")] : []
        send(.httpRequest(id: id, HTTPRequest(method: method, path: path, headers: headers, body: Array(body.utf8))))
        return Array(log[before...]).response(to: id)
    }

    /// Runs timers and the server until `now + span`.
    public mutating func run(for span: TimeSpan) {
        let end = now + span
        while true {
            let deviceAt = device.nextDeadline
            let serverAt = transfer?.nextAt
            let candidates = [deviceAt, serverAt].compactMap { $0 }
            guard let next = candidates.min(), next <= end else { break }
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
        case .flash, .burnSecureVersion:
            if case .refused(let error) = chip.perform(action) {
                preconditionFailure("the device asked for a flash operation the chip refuses: " + error.reason)
            }
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
        if let info = chip.powerOn(reason), let outcome = chip.lastBoot {
            boots.append(outcome)
            queue.append(.powerOn(reason, boot: info))
        } else {
            bootFailure = chip.bootFailure
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
    public var statuses: [JSONValue] {
        log.publishes(on: device.topics.status).map { $0.json() }
    }

    /// The `ota` objects of status messages, in order.
    public var otaReports: [JSONValue] { statuses.compactMap { $0["ota"] } }

    public var otadata: OTAData { chip.otadata }

    /// The image bytes in slot `index`, `length` long.
    public func slot(_ index: Int, length: Int) throws -> [UInt8] {
        try flash.read(offset: device.config.otaConfig.partitions.otaSlots[index].offset, length: length)
    }
}
