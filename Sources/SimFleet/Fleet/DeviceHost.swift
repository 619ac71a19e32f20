import DeviceCore

/// The imperative shell around one device: performs its actions (MQTT on a libmosquitto client,
/// simulated WiFi, reboots) and turns I/O results back into events. Lives on one reactor thread.
final class DeviceHost: ReactorClient {
    // Stored inline only what every device uses (ten thousand hosts: each byte here is 10 kB).
    // The rest is shared by the fleet (`settings`, `route`) or boxed on first use (`cold`,
    // `faultCell`): see `DeviceHostColdState`. Small fields last, so they pack together.

    /// Who the device is in the fleet; the rest of its `DeviceSpec` lives in the firmware's config,
    /// and so do its id and seed (`deviceID` is the spec's id, `randomSeed` its seed): read from
    /// there, not held twice.
    var identity: DeviceIdentity { DeviceIdentity(index: index, id: firmware.deviceID, seed: firmware.config.randomSeed) }
    /// Position in the fleet (`DeviceSpec.index`).
    private let index: Int
    var firmware: FleetDevice
    unowned(unsafe) let reactor: Reactor
    var client: MosquittoClient?
    /// Where the device's client connects (`endpoint`), shared with the devices on the same port
    /// and source address.
    let route: SharedEndpoint
    /// The fleet's MQTT options, origin and registration plan (one object for the fleet).
    var settings = HostSettings.standard
    /// Features some devices use some of the time (`HostColdState`); nil until the first use.
    var cold: HostColdState?
    var queued: [Event] = []
    /// libmosquitto message id → the heartbeat's delivery key (boot count and seq, `HeartbeatFields`), until the PUBACK.
    var unacknowledged = UnacknowledgedHeartbeats()
    var subscriptions: [(mid: Int32, topic: String)] = []
    static var probeWindow: TimeSpan { .milliseconds(500) }
    /// Heartbeat sequence numbers the broker acknowledged (QoS 1), for delivery accounting.
    var acknowledged = SequenceSet()
    /// The version the device reports (`Device.firmwareVersion`, changed only by a `.powerOn`): the
    /// firmware's own copy, not a second one per host; `drain` counts its changes.
    var runningVersion: String { firmware.firmwareVersion }
    /// The device's flash, eFuses and bootloader (set before `attach`); nil: no flash is modelled
    /// and every boot reports the spec's version in ota_0. See `DeviceHost+Chip`.
    var chip: DeviceChip?
    /// Scenario faults on the device's side and local API requests (`DeviceHost+Faults`). Boxed on
    /// first write: most devices never see a fault, and ten thousand unused copies cost a megabyte.
    var faults: HostFaults {
        get { faultCell?.value ?? HostFaults() }
        _modify {
            if faultCell == nil { faultCell = FaultCell() }
            yield &faultCell!.value
        }
    }
    private var faultCell: FaultCell?
    /// Whether any fault or local request ever touched this device (the hot paths skip them if not).
    var hasFaults: Bool { faultCell != nil }
    /// The firmware's committed-update count at its last restart: a restart after a new commit is
    /// the reboot into an update (`PlannedDisconnect.otaReboot`).
    var commitsAtLastReboot: Int32 = 0
    /// Connect attempts so far. 32 bits, like the count above: the two share one word.
    var attempts: Int32 = 0
    var connectStartedAt: Instant?
    /// Re-entrancy guard of `drain` (an action's callback delivering an event queues it instead).
    var busy = false
    var everConnected = false
    /// The link ledger holds a session loss of this device: only then is its next session worth an
    /// entry (the per-fault timeline pairs each loss with the session after it; first connects pair with nothing).
    var ledgerHasLoss = false
    var lastConnectedAt: Instant?
    /// Counted in the fleet's `updating` gauge (settled after every drain).
    var updating = false
    /// The device reaches the broker through its reactor's fault proxy (a scenario's network faults target it).
    var proxied = false
    /// Power, link and the end of the run (`DeviceHostLife`); changes of power count as version
    /// changes (the census of running versions is recounted).
    var life: Life {
        didSet { if oldValue.isPoweredOn != life.isPoweredOn { counters.bump(counters.versionChanges) } }
    }
    var slot: Int32 = -1

    /// Why this device never connected, nil once it has.
    var failure: DeviceFailure? {
        guard !everConnected, attempts > 0 else { return nil }
        return DeviceFailure(device: identity.id, error: lastError?.key ?? "connect_pending", returnCode: Int(lastReturnCode), attempts: Int(attempts))
    }

    var isPoweredOn: Bool { life.isPoweredOn }

    /// The device's MQTT link (`.off` whenever it has no power); changed through `setLink`.
    var link: LinkState { life.link }

    var counters: FleetCounters { reactor.counters }

    /// Where the device is, for the progress line and the report.
    enum LinkState: Equatable { case off, waiting, connecting, online }

    convenience init(spec: DeviceSpec, endpoint: BrokerEndpoint, powerOnAt: Instant, reactor: Reactor) {
        self.init(spec: spec, route: SharedEndpoint(endpoint), powerOnAt: powerOnAt, reactor: reactor)
    }

    /// A host whose client connects to `route` (a fleet passes one object to every device on that
    /// port and source address); `firmwareSettings` (one per building thread) lets the fleet's
    /// devices share their group's configuration.
    init(spec: DeviceSpec, route: SharedEndpoint, powerOnAt: Instant, reactor: Reactor,
         firmwareSettings: SharedFirmwareSettings? = nil) {
        self.index = spec.index
        self.firmware = FleetDevice(config: firmwareSettings?.config(for: spec) ?? spec.firmwareConfig)
        self.reactor = reactor
        self.route = route
        self.life = .off(powerOnAt: powerOnAt)
    }

    /// Registers with the reactor and waits for the ramp to reach this device.
    func attach() {
        slot = reactor.attach(self, periodic: false)  // keepalive rides on the device's own timer
        reactor.schedule(slot, at: life.powerOnAt)
    }

    // MARK: - Hooks for the fleet (reactor thread)

    /// Cuts power: the connection dies without DISCONNECT (the broker fires the last will); the
    /// device boots again after `offFor`.
    func powerCycle(offFor: TimeSpan, now: Instant, cause: PlannedDisconnect = .powerCycle) {
        accessPoint?.down()
        endLinkAsPlanned(cause)
        dropConnection()
        setLink(.off)  // a CONNACK already in the socket, read as it closed, raised it again: it ends here
        advance(.powerOff(until: now + offFor))
        syncDeviceHTTP()
        queued.removeAll()
        reactor.schedule(slot, at: life.powerOnAt)  // nil when frozen: it stays off
    }

    /// Powers on at `at` a device that waits for a ramp-up (`start: on_ramp_up`).
    func movePowerOn(to at: Instant) {
        advance(.movePowerOn(to: at))
        reactor.schedule(slot, at: at)
    }

    /// The access point vanishes for `downFor`: the station loses its link and cannot rejoin until then.
    func dropWiFi(downFor: TimeSpan, now: Instant) {
        guard life.isPoweredOn else { return }
        faults.wifiDownUntil = now + downFor
        dropConnection()
        deliver(.wifi(.disconnected(.connectionLost)))
    }

    /// Hands the device a message as if the broker had delivered it (scenario commands use MQTT
    /// through the real broker instead; this is for tests of the host itself).
    func inject(_ event: Event) { deliver(event) }

    /// Stops timers for the end-of-run drain; I/O keeps flowing so acknowledgements arrive.
    func freeze() {
        advance(.freeze)
        reactor.schedule(slot, at: nil)
    }

    func shutdown() {
        accessPoint?.finish()
        deviceHTTP?.finish()
        client?.disconnect()
        client = nil
        setLink(.off)
        reactor.detach(slot)
    }

    // MARK: - ReactorClient

    func descriptorReady(_ events: UInt32, fd: Int32) {
        client?.ready(events)
        drain()
    }

    func timerFired(at now: Instant) {
        switch life {
        case .frozen, .frozenOff:
            return
        case .off(let at) where at <= now:
            advance(.powerOn)
            counters.bump(counters.poweredOn)
            register()
            guard let boot = bootChip() else { return }
            deliver(.powerOn(.powerOn, boot: boot), at: now)
        case .off:
            reschedule()
        case .running:
            if case .awaitingRetry(let attempt, let at) = registrationState, at <= now { sendRegistration(attempt: attempt + 1) }
            client?.housekeepingIfDue()  // keepalive: a PINGREQ, or the end of a connection gone quiet
            settleProbes(now: now)
            if let d = firmware.nextDeadline, d <= now {
                deliver(.tick, at: now)
            } else if !queued.isEmpty {
                drain(now: now)  // what housekeeping reported (a lost connection)
            } else {
                reschedule()
            }
        }
    }

    // MARK: - Events in, actions out

    func deliver(_ event: Event, at now: Instant = HostClock.now()) {
        drain(first: event, now: now)
    }

    /// Hands the device every queued event, then `first`, then whatever their actions queue, in
    /// order. `first` skips the queue only when it is empty (no buffer is allocated for it).
    func drain(first: Event? = nil, now start: Instant? = nil) {
        var next: Event?
        if let first {
            if queued.isEmpty && !busy { next = first } else { queued.append(first) }
        }
        guard !busy else { return }
        busy = true
        var now = start ?? HostClock.now()
        if next == nil, !queued.isEmpty { next = queued.removeFirst() }
        while let event = next {
            // Only a power-on changes the version the device reports; other events skip the copy.
            let versionBefore: String? = if case .powerOn = event { runningVersion } else { nil }
            let actions = firmware.handle(event, at: now)
            if let versionBefore, runningVersion != versionBefore { counters.bump(counters.versionChanges) }
            for action in actions where life.isPoweredOn { perform(action, now: now) }  // a power cut ends the batch
            observer?(firmware, actions)
            now = HostClock.now()
            next = queued.isEmpty ? nil : queued.removeFirst()
        }
        // Follow-up events are rare after boot: do not keep their buffer for the device's lifetime.
        if queued.capacity > 0 { queued = [] }
        busy = false
        let updatingNow = life.isPoweredOn && firmware.isUpdating
        if updatingNow != updating {
            updating = updatingNow
            counters.bump(counters.updating, by: updatingNow ? 1 : -1)
            if !updatingNow { chip?.settle() }  // whatever the outcome, the image bytes go back to sharing
        }
        if life.isPoweredOn { reschedule() }
        if deviceHTTP != nil { syncDeviceHTTP() }
    }

    func perform(_ action: Action, now: Instant) {
        switch action {
        case .wifiConnect(let ssid, let password):
            if hasFaults, let until = faults.wifiDownUntil, now < until {
                queued.append(.wifi(.connectFailed(.noAPFound)))
            } else if let accessPoint {
                queued.append(.wifi(accessPoint.radio.join(ssid: ssid, password: password)))
            } else {
                if hasFaults { faults.wifiDownUntil = nil }
                queued.append(.wifi(identity.stationJoin))
            }
        case .wifiDisconnect:
            dropConnection()
        case .mqttConnect(let options):
            connect(options, now: now)
        case .mqttDisconnect:
            client?.disconnect()
        case .mqttSubscribe(let topic, let qos):
            guard let client else { return }
            let r = client.subscribe(topic: topic, qos: Int32(qos))
            if r.rc == 0 { subscriptions.append((r.mid, topic)) }
        case .mqttPublish(let p):
            publish(p)
        case .reboot(let reason):
            accessPoint?.down()
            let commits = firmware.counters.otaImagesCommitted
            endLinkAsPlanned(Int32(truncatingIfNeeded: commits) != commitsAtLastReboot ? .otaReboot : .restart)
            commitsAtLastReboot = Int32(truncatingIfNeeded: commits)
            dropConnection()
            queued.removeAll()
            if let boot = bootChip() { queued.append(.powerOn(reason, boot: boot)) }
        case .wifiScan:
            queued.append(.wifi(.scanDone(accessPoint?.radio.scan() ?? [])))
        case .httpRespond, .dnsRespond, .startAccessPoint, .stopAccessPoint:
            if !answerLocal(action) && deviceHTTP?.answer(action) != true { accessPoint?.perform(action) }
        case .startDownload(let url, let rangeStart):
            if let d = download { reactor.downloads.cancel(d) }
            let kind: HTTPKind = firmware.isCheckingManifest ? .manifest : .firmware
            if kind == .firmware { counters.bump(counters.downloadsStarted) }
            let ota = firmware.config.ota
            download = reactor.downloads.start(url: tagged(url), rangeStart: rangeStart, sink: self, kind: kind,
                                               limits: downloadLimits(kind), stall: ota.stallTimeout, deadline: ota.downloadDeadline)
        case .cancelDownload:
            if let d = download { reactor.downloads.cancel(d) }
            download = nil
            chip?.settle()
        case .flash, .burnSecureVersion:
            if cutsPower(before: action, now: now) { return }
            _ = chip?.perform(action)
        case .log:
            break
        }
    }

    /// Ends the download on the wire, if any, without telling the device (the end of a run).
    func abortDownload() {
        if let d = download { reactor.downloads.cancel(d) }
        download = nil
    }

    func dropConnection() {
        client?.abort()
        if let d = download {
            reactor.downloads.cancel(d)
            download = nil
        }
    }

}
