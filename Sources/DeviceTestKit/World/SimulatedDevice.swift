import DeviceCore

/// One device in a `VirtualWorld`: firmware (DeviceCore's `Device` or a team's own) on the kit's
/// chip model, its actions performed against the world — WiFi joins on the radio, MQTT through the
/// broker over the device's link, downloads from the origin, flash and eFuses on the chip — and the
/// results fed back as events at virtual times. Power can be cut at any moment or at the n-th flash
/// operation, leaving that operation torn.
public final class SimulatedDevice<Firmware: SimulatedFirmware, Crypto: DeviceCrypto> {
    /// The device's name on the network and its MQTT client id.
    public let id: String
    public private(set) var firmware: Firmware
    public private(set) var chip: Chip<Crypto, NORFlash>
    public let world: VirtualWorld
    public private(set) var isPoweredOn = false
    /// Every action the firmware returned, in order.
    public private(set) var actions: [Action] = []
    /// Every MQTT publish the firmware made, in order (what reached the broker is the broker's business).
    public private(set) var published: [MQTTPublish] = []
    /// Every successful boot, in order.
    public private(set) var boots: [BootOutcome] = []
    /// Log lines (`.log` actions), in order.
    public private(set) var logLines: [String] = []
    /// How long the station takes to associate, and a scan to finish.
    public var associationTime = TimeSpan.milliseconds(50)
    public var scanTime = TimeSpan.milliseconds(1500)

    private var generation = 0
    private var queue: [Event] = []
    private var busy = false
    private var tickTicket: Simulation.Ticket?
    private var tickAt: Instant?
    private var mqttUp = false
    private var joinedSSID: String?
    private var download: Int?
    private var armedCut: (after: Int, seen: Int, off: TimeSpan?, numerator: Int, denominator: Int)?
    private var replies: [UInt32: (HTTPResponse) -> Void] = [:]
    private var dnsReplies: [UInt32: ([UInt8]?) -> Void] = [:]
    private var nextRequestID: UInt32 = 0x4000_0000

    /// `firmware` on `chip` (flash already programmed), off until `powerOn`.
    public init(id: String, firmware: Firmware, chip: Chip<Crypto, NORFlash>, world: VirtualWorld) {
        self.id = id
        self.firmware = firmware
        self.chip = chip
        self.world = world
        world.network.onCut(id) { [weak self] in self?.linkCut() }
        world.radioListeners.append { [weak self] ssid in self?.radioChanged(ssid) }
    }

    private var simulation: Simulation { world.simulation }
    private var now: Instant { world.simulation.now }

    // MARK: - Power

    /// Power comes up: the bootloader runs, the app reads its partitions, the firmware gets `.powerOn`.
    /// A chip with nothing bootable stays dark (`chip.bootFailure`).
    public func powerOn(_ reason: ResetReason = .powerOn) {
        generation += 1
        isPoweredOn = true
        guard let boot = chip.powerOn(reason) else {
            simulation.note(id + ": nothing bootable, the chip stays dark")
            isPoweredOn = false
            return
        }
        if let outcome = chip.lastBoot { boots.append(outcome) }
        simulation.note(id + ": booted " + boot.firmwareVersion + (boot.pendingVerify ? " (pending verify)" : "")
                        + (boot.rolledBackFrom.map { ", rolled back from " + $0 } ?? ""))
        firmware.starting(from: chip.flash)
        deliver(.powerOn(reason, boot: boot))
    }

    /// Power fails now: connections vanish (the broker publishes the will), downloads stop, nothing
    /// queued reaches the firmware. Power returns after `off` (nil: stays off until `powerOn`).
    public func cutPower(for off: TimeSpan? = .seconds(1)) {
        guard isPoweredOn else { return }
        simulation.note(id + ": power cut")
        powerDown()
        if let off {
            let g = generation
            simulation.schedule(after: off) { [weak self] in
                guard let self, self.generation == g else { return }
                self.powerOn(.powerOn)
            }
        }
    }

    /// Arms a power cut at the `n`-th flash operation from now (1-based): that operation lands only
    /// `numerator/denominator` of its bytes or sectors, then power is gone for `off`.
    public func cutPower(atFlashOperation n: Int, offFor off: TimeSpan? = .seconds(1), numerator: Int = 1, denominator: Int = 2) {
        armedCut = (max(1, n), 0, off, numerator, denominator)
    }

    private func powerDown() {
        generation += 1
        isPoweredOn = false
        queue.removeAll()
        if let t = tickTicket { simulation.cancel(t) }
        tickTicket = nil
        tickAt = nil
        if mqttUp { world.broker.disconnect(client: id, clean: false) }
        mqttUp = false
        joinedSSID = nil
        if let d = download { world.origin.cancel(d) }
        download = nil
        replies.removeAll()
        dnsReplies.removeAll()
        if case let firmware as Device<Crypto> = firmware { chip.nvs = firmware.nvs }
    }

    // MARK: - Driving from tests

    /// Hands the firmware an event now (as if the host had seen it).
    public func send(_ event: Event) { deliver(event) }

    /// A request to the device's own web server; `reply` gets its answer.
    public func request(_ method: HTTPMethod, _ path: String, body: String = "", reply: @escaping (HTTPResponse) -> Void) {
        guard isPoweredOn else { return }
        nextRequestID &+= 1
        replies[nextRequestID] = reply
        deliver(.httpRequest(id: nextRequestID, HTTPRequest(method: method, path: path, body: Array(body.utf8))))
    }

    /// A DNS query to the device's responder (access point mode); `reply` gets the answer (nil: dropped).
    public func dnsQuery(_ query: [UInt8], reply: @escaping ([UInt8]?) -> Void) {
        guard isPoweredOn else { return }
        nextRequestID &+= 1
        dnsReplies[nextRequestID] = reply
        deliver(.dnsQuery(id: nextRequestID, query))
    }

    // MARK: - Events in, actions out

    private func deliver(_ event: Event) {
        guard isPoweredOn else { return }
        queue.append(event)
        guard !busy else { return }
        busy = true
        while isPoweredOn, !queue.isEmpty {
            let next = queue.removeFirst()
            let out = firmware.handle(next, at: now)
            actions.append(contentsOf: out)
            for action in out {
                guard isPoweredOn else { break }  // a power cut ends the batch
                perform(action)
            }
        }
        busy = false
        if isPoweredOn { reschedule() }
    }

    /// Delivers `event` at `at` unless power was cut since.
    private func later(_ at: Instant, _ event: Event) {
        let g = generation
        simulation.schedule(at: at) { [weak self] in
            guard let self, self.generation == g else { return }
            self.deliver(event)
        }
    }

    private func reschedule() {
        let deadline = firmware.nextDeadline
        guard deadline != tickAt else { return }
        if let t = tickTicket { simulation.cancel(t) }
        tickAt = deadline
        tickTicket = nil
        guard let deadline else { return }
        let g = generation
        tickTicket = simulation.schedule(at: deadline) { [weak self] in
            guard let self, self.generation == g else { return }
            self.tickAt = nil
            self.tickTicket = nil
            self.deliver(.tick)
        }
    }

    private func perform(_ action: Action) {
        switch action {
        case .wifiConnect(let ssid, let password):
            let result = world.radio.join(ssid: ssid, password: password, at: now)
            if case .connected = result { joinedSSID = ssid }
            later(now + associationTime, .wifi(result))
        case .wifiDisconnect:
            joinedSSID = nil
            dropMQTT(notify: false)
        case .wifiScan:
            later(now + scanTime, .wifi(.scanDone(world.radio.scan(at: now))))
        case .startAccessPoint, .stopAccessPoint:
            break
        case .mqttConnect(let options):
            connect(options)
        case .mqttDisconnect:
            if mqttUp { world.broker.disconnect(client: id, clean: true) }
            mqttUp = false
        case .mqttSubscribe(let topic, let qos):
            let g = generation
            world.network.send(from: id, to: world.brokerEndpoint) { [weak self] in
                guard let self, self.generation == g, self.mqttUp else { return }
                if !self.world.broker.subscribe(client: self.id, filter: topic, qos: qos) {
                    self.toDevice(.mqtt(.subscribeRefused(topic: topic)))
                }
            }
        case .mqttPublish(let p):
            published.append(p)
            let g = generation
            world.network.send(from: id, to: world.brokerEndpoint) { [weak self] in
                guard let self, self.generation == g, self.mqttUp else { return }
                self.world.broker.publish(from: self.id, MQTTRouter.Message(p))
                if p.qos > 0, let mid = p.messageID { self.toDevice(.mqtt(.published(messageID: mid))) }
            }
        case .httpRespond(let rid, let response):
            replies.removeValue(forKey: rid)?(response)
        case .dnsRespond(let rid, let bytes):
            dnsReplies.removeValue(forKey: rid)?(bytes)
        case .startDownload(let url, let rangeStart):
            if let d = download { world.origin.cancel(d) }
            let g = generation
            download = world.origin.get(url, rangeStart: rangeStart, client: id) { [weak self] event in
                guard let self, self.generation == g else { return }
                switch event {
                case .finished, .failed:
                    self.download = nil
                    self.chip.settle()
                default: break
                }
                self.deliver(.download(event))
            }
        case .cancelDownload:
            if let d = download { world.origin.cancel(d) }
            download = nil
            chip.settle()
        case .flash(let operation):
            if var cut = armedCut {
                cut.seen += 1
                armedCut = cut
                if cut.seen >= cut.after {
                    armedCut = nil
                    simulation.note(id + ": power cut during flash operation " + String(cut.seen))
                    chip.cutPower(during: operation, numerator: cut.numerator, denominator: cut.denominator)
                    cutPower(for: cut.off)
                    return
                }
            }
            chip.perform(action)
        case .burnSecureVersion:
            chip.perform(action)
        case .reboot(let reason):
            simulation.note(id + ": reboot (" + reason.name + ")")
            powerDown()
            powerOn(reason)
        case .log(_, let text):
            logLines.append(text)
        }
    }

    // MARK: - MQTT

    private func connect(_ options: MQTTConnectOptions) {
        let g = generation
        guard world.network.canReach(id, world.brokerEndpoint) else { return }  // no answer: the device's timeout decides
        world.network.send(from: id, to: world.brokerEndpoint) { [weak self] in
            guard let self, self.generation == g else { return }
            let will = options.will.map { MQTTRouter.Message($0) }
            let result = self.world.broker.connect(
                client: options.clientID, username: options.username, password: options.password, will: will,
                deliver: { [weak self] message in
                    guard let self, self.generation == g else { return }
                    self.toDevice(.mqtt(.message(topic: message.topic, payload: message.payload)))
                },
                dropped: { [weak self] in
                    guard let self, self.generation == g, self.mqttUp else { return }
                    self.mqttUp = false
                    self.toDevice(.mqtt(.disconnected))
                })
            switch result {
            case .success:
                self.mqttUp = true
                self.toDevice(.mqtt(.connected))
            case .failure(.notAuthorized):
                self.toDevice(.mqtt(.connectFailed(code: 5)))
            case .failure(.unavailable):
                self.toDevice(.mqtt(.connectFailed(code: -1)))
            }
        }
    }

    /// Something from the broker's side reaches the device over its link.
    private func toDevice(_ event: Event) {
        let g = generation
        world.network.send(from: world.brokerEndpoint, to: id) { [weak self] in
            guard let self, self.generation == g else { return }
            self.deliver(event)
        }
    }

    private func dropMQTT(notify: Bool) {
        guard mqttUp else { return }
        mqttUp = false
        world.broker.disconnect(client: id, clean: false)
        if notify { later(now, .mqtt(.disconnected)) }
    }

    private func linkCut() {
        guard isPoweredOn else { return }
        dropMQTT(notify: true)
    }

    private func radioChanged(_ ssid: String) {
        guard isPoweredOn, joinedSSID == ssid, !world.radio.isUp(ssid, at: now) else { return }
        joinedSSID = nil
        dropMQTT(notify: false)
        later(now, .wifi(.disconnected(.beaconTimeout)))
    }
}

extension SimulatedDevice where Firmware == Device<Crypto> {
    /// DeviceCore's firmware built from `config`, on a fresh chip with `factoryImage` in ota_0.
    public convenience init(config: DeviceConfig, factoryImage: [UInt8], world: VirtualWorld, efuses: EFuses = EFuses()) throws(FlashError) {
        var chip = Chip<Crypto, NORFlash>(ota: config.otaConfig, efuses: efuses)
        try chip.install(factoryImage, slot: 0)
        self.init(id: config.deviceID, firmware: Device<Crypto>(config: config), chip: chip, world: world)
    }

    /// Status messages the device published, parsed, in order.
    public var statuses: [JSONValue] {
        published.filter { $0.topic == firmware.topics.status }.compactMap { try? JSONReader().parse($0.payload) }
    }
}
