import DeviceCore

/// The imperative shell around one device: performs its actions (MQTT on a libmosquitto client,
/// simulated WiFi, reboots) and turns I/O results back into events. Lives on one reactor thread.
final class DeviceHost<Firmware: FleetFirmware>: ReactorClient, MosquittoClientDelegate, DownloadSink {
    let spec: DeviceSpec
    private var firmware: Firmware
    private unowned(unsafe) let reactor: Reactor
    private(set) var slot: Int32 = -1
    private var endpoint: BrokerEndpoint
    private var client: MosquittoClient?
    private var powerOnAt: Instant?
    private var queued: [Event] = []
    private var busy = false
    private(set) var link = LinkState.off
    private var everConnected = false
    private var connectStartedAt: Instant?
    /// libmosquitto message id → the device's heartbeat sequence number, until the PUBACK.
    private var unacknowledged: [(mid: Int32, seq: Int)] = []
    private var subscriptions: [(mid: Int32, topic: String)] = []
    /// Subscriptions made by an ACL probe, not by the firmware. Mosquitto's ACL file grants every
    /// SUBSCRIBE and filters at delivery, so the verdict is whether the target's retained status
    /// arrives within `probeWindow` of the SUBACK.
    private var probes: [(mid: Int32, topic: String, verdictAt: Instant?)] = []
    private var probeWasAllowed = false
    static var probeWindow: TimeSpan { .milliseconds(500) }
    /// Heartbeat sequence numbers the broker acknowledged (QoS 1), for delivery accounting.
    private(set) var acknowledged = SequenceSet()
    private var wifiDownUntil: Instant?
    private(set) var runningVersion: String
    private var frozen = false
    private var download: DownloadTransfer?
    private var updating = false
    /// The device's radio environment and access point sockets (captive portal); nil for fleet
    /// devices, whose WiFi always lets them in and who never open an AP. See `DeviceHost+AccessPoint`.
    private(set) var accessPoint: AccessPointShell?
    /// Called on the reactor thread after every event the device handled, with its actions.
    var observer: ((Firmware, [Action]) -> Void)?
    /// The device's flash, eFuses and bootloader (set before `attach`); nil: no flash is modelled
    /// and every boot reports the spec's version in ota_0.
    var chip: DeviceChip?
    private(set) var lastConnectedAt: Instant?
    private var attempts = 0
    private var lastError: FleetErrorKind?
    private var lastReturnCode: Int32 = 0

    /// Why this device never connected, nil once it has.
    var failure: DeviceFailure? {
        guard !everConnected, attempts > 0 else { return nil }
        return DeviceFailure(device: spec.id, error: lastError?.key ?? "connect_pending", returnCode: Int(lastReturnCode), attempts: attempts)
    }

    var isPoweredOn: Bool { powerOnAt == nil }

    private var counters: FleetCounters { reactor.counters }

    /// Where the device is, for the progress line and the report.
    enum LinkState: Equatable { case off, waiting, connecting, online }

    /// `POST {api}/devices/register` at first boot when set.
    var registrationURL: String?
    private var registered = false

    init(spec: DeviceSpec, endpoint: BrokerEndpoint, powerOnAt: Instant, reactor: Reactor) {
        self.spec = spec
        self.firmware = Firmware(spec: spec)
        self.reactor = reactor
        self.endpoint = endpoint
        self.powerOnAt = powerOnAt
        self.runningVersion = spec.firmwareVersion
    }

    /// Registers with the reactor and waits for the ramp to reach this device.
    func attach() {
        slot = reactor.attach(self)
        reactor.schedule(slot, at: powerOnAt)
    }

    // MARK: - Hooks for the fleet (reactor thread)

    /// Cuts power: the connection dies without DISCONNECT (the broker fires the last will); the
    /// device boots again after `offFor`.
    func powerCycle(offFor: TimeSpan, now: Instant) {
        accessPoint?.down()
        dropConnection()
        setLink(.off)
        powerOnAt = now + offFor
        queued.removeAll()
        reactor.schedule(slot, at: powerOnAt)
    }

    /// The access point vanishes for `downFor`: the station loses its link and cannot rejoin until then.
    func dropWiFi(downFor: TimeSpan, now: Instant) {
        guard powerOnAt == nil else { return }
        wifiDownUntil = now + downFor
        dropConnection()
        deliver(.wifi(.disconnected(.connectionLost)))
    }

    /// Gives the device its radio environment and access point sockets (before `attach`).
    func provide(_ shell: AccessPointShell) {
        accessPoint = shell
        shell.deliver = { [unowned self] event in self.deliver(event) }
    }

    /// ACL probe: the device's own client subscribes to `topic` (another device's, say). The broker's
    /// SUBACK decides: 0x80 counts as refused, a granted QoS as allowed.
    func probeSubscription(_ topic: String) {
        guard let client, link == .online else { return }
        let r = client.subscribe(topic: topic, qos: 0)
        guard r.rc == 0 else { return }
        counters.bump(counters.aclAttempts)
        probes.append((r.mid, topic, nil))
    }

    private func settleProbes(now: Instant) {
        let due = probes.filter { $0.verdictAt.map { $0 <= now } ?? false }
        guard !due.isEmpty else { return }
        probes.removeAll { $0.verdictAt.map { $0 <= now } ?? false }
        for p in due {
            counters.bump(counters.aclRefused)
            client?.unsubscribe(topic: p.topic)
        }
    }

    private var probeDeadline: Instant? { probes.compactMap(\.verdictAt).min() }

    private func reschedule() {
        guard !frozen else { return }
        if let at = powerOnAt { return reactor.schedule(slot, at: at) }
        var next = firmware.nextDeadline
        if let p = probeDeadline { next = next.map { min($0, p) } ?? p }
        reactor.schedule(slot, at: next)
    }

    /// Hands the device a message as if the broker had delivered it (scenario commands use MQTT
    /// through the real broker instead; this is for tests of the host itself).
    func inject(_ event: Event) { deliver(event) }

    /// Stops timers for the end-of-run drain; I/O keeps flowing so acknowledgements arrive.
    func freeze() {
        frozen = true
        reactor.schedule(slot, at: nil)
    }

    func shutdown() {
        accessPoint?.finish()
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
        guard !frozen else { return }
        if let at = powerOnAt, at <= now {
            powerOnAt = nil
            counters.bump(counters.poweredOn)
            register()
            guard let boot = bootChip() else { return }
            deliver(.powerOn(.powerOn, boot: boot), at: now)
        } else if powerOnAt == nil {
            settleProbes(now: now)
            if let d = firmware.nextDeadline, d <= now { deliver(.tick, at: now) } else { reschedule() }
        } else {
            reschedule()
        }
    }

    func housekeeping() {
        client?.housekeeping()
        if !queued.isEmpty { drain() }
    }

    // MARK: - Events in, actions out

    private func deliver(_ event: Event, at now: Instant = HostClock.now()) {
        queued.append(event)
        drain(now: now)
    }

    private func drain(now start: Instant? = nil) {
        guard !busy else { return }
        busy = true
        var now = start ?? HostClock.now()
        while !queued.isEmpty {
            let event = queued.removeFirst()
            let actions = firmware.handle(event, at: now)
            for action in actions { perform(action, now: now) }
            observer?(firmware, actions)
            now = HostClock.now()
        }
        busy = false
        let updatingNow = powerOnAt == nil && firmware.isUpdating
        if updatingNow != updating {
            updating = updatingNow
            counters.bump(counters.updating, by: updatingNow ? 1 : -1)
            if !updatingNow { chip?.settle() }  // whatever the outcome, the image bytes go back to sharing
        }
        if powerOnAt == nil { reschedule() }
    }

    private func perform(_ action: Action, now: Instant) {
        switch action {
        case .wifiConnect(let ssid, let password):
            if let until = wifiDownUntil, now < until {
                queued.append(.wifi(.connectFailed(.noAPFound)))
            } else if let accessPoint {
                queued.append(.wifi(accessPoint.radio.join(ssid: ssid, password: password)))
            } else {
                wifiDownUntil = nil
                let n = spec.index + 2
                let ip = IPv4Address(10, UInt8((n >> 16) & 0xFF), UInt8((n >> 8) & 0xFF), UInt8(n & 0xFF))
                queued.append(.wifi(.connected(ip: ip, rssi: -40 - Int(spec.seed % 30))))
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
            runningVersion = firmware.runningFirmwareVersion
            accessPoint?.down()
            dropConnection()
            setLink(.off)
            queued.removeAll()
            if let boot = bootChip() { queued.append(.powerOn(reason, boot: boot)) }
        case .wifiScan:
            queued.append(.wifi(.scanDone(accessPoint?.radio.scan() ?? [])))
        case .startDownload(let url, let rangeStart):
            if let d = download { reactor.downloads.cancel(d) }
            counters.bump(counters.downloadsStarted)
            download = reactor.downloads.start(url: url, rangeStart: rangeStart, sink: self)
        case .cancelDownload:
            if let d = download { reactor.downloads.cancel(d) }
            download = nil
            chip?.settle()
        case .httpRespond, .dnsRespond, .startAccessPoint, .stopAccessPoint:
            accessPoint?.perform(action)
        case .flash, .burnSecureVersion:
            _ = chip?.perform(action)
        case .log:
            break
        }
    }

    /// Runs the bootloader (`chip`), or without a chip reports the spec's version in ota_0. nil when
    /// nothing is bootable: the device stays dark, as a bricked ESP32 would.
    private func bootChip() -> BootInfo? {
        guard chip != nil else { return BootInfo(slot: 0, firmwareVersion: runningVersion) }
        guard let boot = chip?.boot() else {
            counters.bump(counters.bricked)
            return nil
        }
        if boot.rolledBackFrom != nil { counters.bump(counters.rollbacks) }
        if boot.pendingVerify { counters.bump(counters.imagesBooted) }
        runningVersion = boot.firmwareVersion
        return boot
    }

    private func connect(_ options: MQTTConnectOptions, now: Instant) {
        if chip?.runsBrokenRelease == true {
            // A bad build: this firmware never gets a session (its connect fails before the socket).
            note(.connectFailed, -1)
            queued.append(.mqtt(.connectFailed(code: -1)))
            return
        }
        if client == nil {
            client = MosquittoClient(clientID: options.clientID, delegate: self, reactor: reactor, slot: slot)
            if let tls = endpoint.tls, let client {
                _ = client.setTLS(caFile: tls.caFile, certFile: tls.certFile, keyFile: tls.keyFile)
            }
        }
        guard let client else {
            counters.count(.clientCreation)
            queued.append(.mqtt(.connectFailed(code: -1)))
            return
        }
        client.setCredentials(username: options.username, password: options.password)
        if let will = options.will {
            client.setWill(topic: will.topic, payload: will.payload, qos: Int32(will.qos), retain: will.retain)
        } else {
            client.clearWill()
        }
        connectStartedAt = now
        attempts += 1
        setLink(.connecting)
        let rc = client.connect(host: endpoint.host, port: Int32(endpoint.port), keepAlive: Int32(options.keepAliveSeconds),
                                bindAddress: endpoint.bindAddress)
        if rc != 0 {
            note(.connectFailed, rc)
            setLink(.waiting)
            queued.append(.mqtt(.connectFailed(code: -Int(rc))))
        }
    }

    private func publish(_ p: MQTTPublish) {
        guard let client, link == .online else {
            counters.count(.publishFailed)
            return
        }
        let r = client.publish(topic: p.topic, payload: p.payload, qos: Int32(p.qos), retain: p.retain)
        guard r.rc == 0 else {
            counters.count(.publishFailed)
            return
        }
        if let seq = p.messageID {
            counters.bump(counters.sent)
            if p.qos > 0 { unacknowledged.append((r.mid, seq)) }
        }
    }

    private func dropConnection() {
        client?.abort()
        if let d = download {
            reactor.downloads.cancel(d)
            download = nil
        }
    }

    /// Registers the device with the backend API once (`{"device_code": id}`), without holding up its boot.
    private func register() {
        guard let url = registrationURL, !registered else { return }
        registered = true
        var body: [UInt8] = []
        writeJSONString(spec.id, to: &body)
        let counters = self.counters
        reactor.downloads.postJSON(url: url, body: "{\"device_code\":" + String(decoding: body, as: UTF8.self) + "}") { ok, _ in
            if ok { counters.bump(counters.registered) } else { counters.bump(counters.registrationFailed) }
        }
    }

    // MARK: - DownloadSink

    func downloadEvent(_ event: DownloadEvent) {
        switch event {
        case .finished: download = nil
        case .failed:
            download = nil
            counters.bump(counters.downloadsFailed)
        default: break
        }
        queued.append(.download(event))
    }

    func flushDownloadEvents() { drain() }

    private func setLink(_ new: LinkState) {
        guard new != link else { return }
        switch link {
        case .connecting: counters.bump(counters.connecting, by: -1)
        case .online: counters.bump(counters.online, by: -1)
        default: break
        }
        switch new {
        case .connecting: counters.bump(counters.connecting)
        case .online: counters.bump(counters.online)
        default: break
        }
        link = new
    }

    // MARK: - MosquittoClientDelegate (inside libmosquitto calls: record and queue only)

    func mqttConnected(returnCode: Int32) {
        guard returnCode == 0 else {
            note(.connectRefused, returnCode)
            setLink(.waiting)
            queued.append(.mqtt(.connectFailed(code: Int(returnCode))))
            return
        }
        let now = HostClock.now()
        lastConnectedAt = now
        if let started = connectStartedAt {
            reactor.connectLatency.record(microseconds: (now - started).microseconds)
        }
        if everConnected { counters.bump(counters.reconnects) } else {
            everConnected = true
            counters.bump(counters.everConnected)
            counters.lastFirstConnectMicros.store(Int(now.microseconds), ordering: .relaxed)
        }
        setLink(.online)
        queued.append(.mqtt(.connected))
    }

    func mqttDisconnected(returnCode: Int32) {
        switch link {
        case .connecting:
            note(.connectFailed, returnCode)
            setLink(.waiting)
            queued.append(.mqtt(.connectFailed(code: -1)))
        case .online:
            if returnCode != 0 { counters.count(.disconnected) }
            setLink(.waiting)
            queued.append(.mqtt(.disconnected))
        case .waiting, .off:
            break  // the refusal or power cut was already reported
        }
    }

    private func note(_ kind: FleetErrorKind, _ rc: Int32) {
        counters.count(kind)
        lastError = kind
        lastReturnCode = rc
    }

    func mqttPublished(mid: Int32) {
        guard let i = unacknowledged.firstIndex(where: { $0.mid == mid }) else { return }
        let seq = unacknowledged[i].seq
        unacknowledged.remove(at: i)
        acknowledged.insert(seq)
        counters.bump(counters.acknowledged)
        queued.append(.mqtt(.published(messageID: seq)))
    }

    func mqttMessage(topic: UnsafeBufferPointer<UInt8>, payload: UnsafeRawBufferPointer) {
        if !probes.isEmpty || probeWasAllowed {
            // Traffic on a probe subscription is evidence for the ACL verdict, not input for the firmware.
            let t = String(decoding: topic, as: UTF8.self)
            if let p = probes.firstIndex(where: { $0.topic == t }) {
                probes.remove(at: p)
                counters.bump(counters.aclAllowed)
                probeWasAllowed = true
                return
            }
            if probeWasAllowed && !t.hasPrefix("device/" + spec.id + "/") { return }
        }
        queued.append(.mqtt(.message(topic: String(decoding: topic, as: UTF8.self), payload: Array(payload))))
    }

    func mqttSubscribed(mid: Int32, granted: [Int32]) {
        if let p = probes.firstIndex(where: { $0.mid == mid }) {
            if granted.contains(where: { $0 >= 0x80 }) {
                probes.remove(at: p)
                counters.bump(counters.aclRefused)
            } else {
                probes[p].verdictAt = HostClock.now() + DeviceHost.probeWindow
                reschedule()
            }
            return
        }
        guard let i = subscriptions.firstIndex(where: { $0.mid == mid }) else { return }
        let topic = subscriptions[i].topic
        subscriptions.remove(at: i)
        if granted.contains(where: { $0 >= 0x80 }) {
            counters.count(.subscribeRefused)
            queued.append(.mqtt(.subscribeRefused(topic: topic)))
        }
    }
}
