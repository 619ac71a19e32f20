/// A simulated ESP32's firmware, as a value: the host feeds it events with the current time and
/// performs the actions it returns. All state, volatile and flash-backed, lives here.
public struct Device<Crypto: DeviceCrypto>: Sendable {
    /// What the device was built as; fixed for its lifetime.
    public var config: DeviceConfig { fixed.config }
    /// Status, OTA and logs topics with the device id filled in (each resolved when read).
    public var topics: DeviceTopics { fixed.topics }
    /// Built for each connect attempt (`MQTTSession.networkUp`, `tick`), never stored: ~130 bytes a
    /// device that would only repeat the configuration and identity.
    var connectOptions: MQTTConnectOptions { fixed.connectOptions }
    /// What never changes (config and id; topics and connect options derive from them), out of line: read often, copied never.
    /// A class of constants rather than a boxed struct, so a read such as `config.heartbeatInterval`
    /// loads one field even where this generic code runs unspecialised.
    let fixed: DeviceFixed
    /// Flash-backed state (NVS): survives `.powerOn`.
    public internal(set) var nvs: DeviceNVS
    /// Off, station (WiFi + MQTT) or provisioning (access point).
    public internal(set) var mode: DeviceMode = .off
    /// Totals for reports; they survive power cycles.
    public internal(set) var counters = DeviceCounters()
    /// The device's only source of randomness (backoff jitter). Entropy, not memory: it keeps
    /// running across power cycles, so reboots do not replay the same delays.
    var random: SeededRandom
    /// RAM: reset by every `.powerOn`.
    var cycle: PowerCycle
    /// OTA: the manifest check, the image download and what the status topic says of them
    /// (RAM, restarted at `.powerOn`). Holds nothing out of line while idle; the hot paths
    /// (deadline, tick, reported state, heartbeat) read only its in-line summary.
    var ota = OTAAgent<Crypto>()
    /// The sensor task (`config.telemetry`): one empty array when the device has no telemetry.
    var telemetry: TelemetryTask

    /// A device that is off, with `config.defaultWiFiCredentials` in NVS.
    public init(config: DeviceConfig) {
        self.init(config: config, nvs: DeviceNVS(wifiCredentials: config.defaultWiFiCredentials))
    }

    /// A device that is off with the given flash contents (to continue a device saved earlier).
    public init(config: DeviceConfig, nvs: DeviceNVS) {
        self.nvs = nvs
        self.random = SeededRandom(seed: config.randomSeed)
        let fixed = DeviceFixed(config: config)
        self.telemetry = TelemetryTask(streams: config.telemetry, seed: config.randomSeed, deviceID: fixed.deviceID)
        self.cycle = PowerCycle(poweredOnAt: .zero, firmwareVersion: config.firmwareVersion)
        self.fixed = fixed
    }

    /// `esp32c6-a1b2c3`, or the configured override.
    public var deviceID: String { fixed.deviceID }

    /// Handles one event at time `now` and returns the actions the host must perform, in order.
    public mutating func handle(_ event: Event, at now: Instant) -> [Action] {
        // A PUBACK (once per QoS 1 heartbeat) changes nothing: delivery accounting is the host's.
        // Answered before anything is allocated.
        if case .mqtt(.published) = event, case .station = mode { return [] }
        var actions: [Action] = []
        actions.reserveCapacity(4)
        switch event {
        case .powerOn(let reason, let boot): powerOn(reason, boot: boot, at: now, actions: &actions)
        case .tick: tick(at: now, actions: &actions)
        case .wifi(let e): handleWiFi(e, at: now, actions: &actions)
        case .mqtt(let e): handleMQTT(e, at: now, actions: &actions)
        case .httpRequest(let id, let request): handleHTTP(id: id, request, at: now, actions: &actions)
        case .dnsQuery(let id, let query): handleDNS(id: id, query, at: now, actions: &actions)
        case .download(let e):
            if mode.isOff { ignore("download event", actions: &actions) } else { handleDownload(e, at: now, actions: &actions) }
        }
        publishStateChange(at: now, actions: &actions)
        // Log lines carry text from outside (SSIDs, versions, URLs, action names): escaped here,
        // where every line leaves the device, before any is streamed to the logs topic.
        if actions.contains(where: { if case .log = $0 { return true } else { return false } }) { escapeLogText(&actions) }
        return streamingLogLines(actions, at: now)
    }

    /// The earliest time the device needs a `.tick`, nil when it waits only for I/O. The host delivers
    /// `.tick` at or after it; one tick handles every timer that is due by then.
    // Inlined: a call copies the whole device (480 bytes on the host) to the stack first when the
    // caller holds it `inout`, as a fleet's host does after every event.
    @inline(__always)
    public var nextDeadline: Instant? {
        if mode.isOff { return nil }
        var next = earliest(earliest(cycle.pendingReboot?.at, cycle.scans.deadline),
                            earliest(cycle.nextHeartbeat, otaDeadline))
        if case .station(let s) = mode {
            next = earliest(next, earliest(s.wifi.deadline, s.mqtt.deadline))
            if !telemetry.isEmpty && s.mqtt.isConnected { next = earliest(next, telemetry.deadline) }
        }
        if case .provisioning(let p) = mode { next = earliest(next, p.softAP?.deadline) }
        return next
    }

    /// Every timer that is due at `now`: a promised reboot first (it ends everything else), then
    /// scan timeouts, WiFi and MQTT retries, the heartbeat and the updater's own timers.
    mutating func tick(at now: Instant, actions: inout [Action]) {
        if mode.isOff { return }
        if let reboot = cycle.pendingReboot, reboot.at <= now {
            restart(reboot.reason, actions: &actions)
            return
        }
        cycle.scans.expire(at: now, actions: &actions)
        softAPTick(at: now, actions: &actions)
        if mode.isOff { return }  // provisioning ended with a restart
        if case .station(var station) = mode {
            mode = .off  // the payload is now uniquely ours: mutate it in place, no copy-on-write
            actions = station.wifi.tick(at: now, counters: &counters, continuing: WiFiStation.Output(continuing: &actions)).actions
            actions = station.mqtt.tick(at: now, timing: config.linkTiming, options: { [fixed] in fixed.connectOptions },
                                        random: &random, counters: &counters, continuing: MQTTSession.Output(continuing: &actions)).actions
            mode = .station(station)
        }
        heartbeatTick(at: now, actions: &actions)
        if !telemetry.isEmpty { telemetryTick(at: now, actions: &actions) }
        otaTick(at: now, actions: &actions)
    }

    /// Records an event that is not legal in the current state: a log line and a counter, nothing else.
    mutating func ignore(_ what: String, actions: inout [Action]) {
        counters.ignoredEvents += 1
        actions.append(.log(.warning, "ignored " + what + " (state " + reportedState.name + ")"))
    }
}

/// The earlier of two optional instants; nil only when both are.
func earliest(_ a: Instant?, _ b: Instant?) -> Instant? {
    guard let a else { return b }
    guard let b else { return a }
    return min(a, b)
}
