import CMosquitto
import DeviceCore
import Dispatch
import Synchronization

/// One extra MQTT client subscribed to every device's status topic (QoS 0): it measures
/// end-to-end latency from the heartbeat's `ts` and records which sequence numbers arrived, so a
/// run reports what the backend received rather than what the simulator hoped it sent. It also
/// subscribes to the fleet's telemetry streams and accounts for them alike (`TelemetryObservation`).
/// Topics are mapped to devices by the layout's compiled patterns (`TopicPattern`).
final class Observer: ReactorClient, MosquittoClientDelegate, @unchecked Sendable {
    private unowned(unsafe) let reactor: Reactor
    private var slot: Int32 = -1
    private var client: MosquittoClient?
    private let endpoint: BrokerEndpoint
    private let username: String?
    private let password: String?
    /// The status topics' pattern: the device key of a status topic (its id by default).
    let statusPattern: TopicPattern
    /// Status and telemetry filters, subscribed on every connect.
    let topicFilters: [String]
    private var pendingSubscriptions: [Int32] = []
    private var connected = false
    private let subscribed = DispatchSemaphore(value: 0)
    private var signalledOnce = false

    /// Heartbeats received (unique device+seq), live.
    let received = Atomic<Int>(0)
    let duplicates = Atomic<Int>(0)
    let reconnects = Atomic<Int>(0)
    /// Status messages of devices outside the fleet (another run, real devices on a shared broker).
    let foreign = Atomic<Int>(0)
    /// Status messages on a fleet device's topic that are neither a heartbeat the observer can
    /// account for (`HeartbeatFields`) nor the offline will. Counted and otherwise ignored.
    let malformed = Atomic<Int>(0)
    /// Only the fleet's keys are accounted for; false: any key (an observer with no fleet list).
    private let fleetOnly: Bool
    /// The whole fleet's device keys (every shard's), kept apart only for a shard (`ownDevices`): to
    /// tell another shard's device from a foreign one. Otherwise they are `receivedByDevice`'s keys,
    /// and a second set of ten thousand ids would only cost memory.
    private var fleetKeys: Set<String> = []
    /// The status topic's key is the device id, so a payload's `"id"` must name it.
    private let keyIsID: Bool
    /// Received sequence numbers per device id; read after the reactor has stopped.
    private(set) var receivedByDevice: [String: SequenceSet] = [:]
    private(set) var latency = LatencyRecorder()
    /// Devices whose latest status says offline (last will fired), by device key.
    private(set) var offline: Set<String> = []
    /// Keys this observer counts (a shard's own devices; set before `start`); nil counts the fleet's.
    var ownDevices: Set<String>? {
        didSet {
            if fleetOnly && fleetKeys.isEmpty && oldValue == nil { fleetKeys = Set(receivedByDevice.keys) }
            receivedByDevice = Dictionary(uniqueKeysWithValues: (ownDevices ?? fleetKeys).map { ($0, SequenceSet()) })
        }
    }
    /// MQTT client id; shards on one broker need one each, or they would take over each other's session.
    var clientID = "simfleet-observer"

    /// The observer's MQTT version (the fleet's).
    var version = MQTTOptions.Version.v311
    /// QoS 0, whatever the devices publish with: a QoS 1 or 2 subscriber gets only
    /// `max_inflight_messages` (mosquitto: 20) messages per acknowledgement round trip, the broker
    /// queues the rest up to `max_queued_messages` (1,000) and then drops them, so a burst of
    /// heartbeats was lost on the way to the observer and reported as the backend's loss. At QoS 0 the
    /// broker writes straight into the socket and the kernel's buffers take the burst. The observer's
    /// session is clean, so QoS 1 would redeliver nothing after a reconnect anyway, and the broker
    /// still forwards a QoS 2 message once.
    let subscribeQoS: Int32 = 0
    /// The TLS setup failed: the observer never connects (never in plain text).
    private(set) var tlsFailed = false
    /// Telemetry streams: what arrived, per stream and device.
    private(set) var telemetry: TelemetryObservation
    /// Telemetry messages received (unique), live.
    let telemetryReceived = Atomic<Int>(0)

    /// `fleetKeys`: the device keys (ids in the default layout) of the whole fleet; status messages of
    /// other keys are `foreign`. nil: any key counts (an observer with no fleet list).
    init(reactor: Reactor, endpoint: BrokerEndpoint, username: String?, password: String?, topics: TopicLayout = .default,
         telemetry: TelemetryObservation = TelemetryObservation(), fleetKeys: [String]? = nil) {
        self.reactor = reactor
        self.endpoint = endpoint
        self.username = username
        self.password = password
        let status = TopicPattern(topics.status)
        self.statusPattern = status
        self.telemetry = telemetry
        self.topicFilters = [status.filter] + telemetry.filters.filter { $0 != status.filter }
        // The payload's "id" can be checked against the topic when the status topic's only placeholder is {id}.
        keyIsID = topics.status.tokens.allSatisfy { $0 == .id || $0.isText }
        fleetOnly = fleetKeys != nil
        if let fleetKeys {
            // Filled in place: no fleet-sized array of pairs to build and drop first.
            var table = [String: SequenceSet](minimumCapacity: fleetKeys.count)
            for key in fleetKeys where table[key] == nil { table[key] = SequenceSet() }
            receivedByDevice = table
        }
    }

    /// Connects and subscribes; returns once the broker granted the subscription or `timeout` passed.
    func start(timeoutSeconds: Double) -> Bool {
        reactor.post { [self] r in
            slot = r.attach(self)
            connect()
        }
        return subscribed.wait(timeout: .now() + timeoutSeconds) == .success
    }

    func stop() {
        reactor.post { [self] r in
            client?.disconnect()
            client = nil
            r.detach(slot)
        }
    }

    private func connect() {
        guard !tlsFailed else { return }
        if client == nil {
            client = MosquittoClient(clientID: clientID, options: MQTTOptions(version: version), delegate: self,
                                     reactor: reactor, slot: slot)
            if let tls = endpoint.tls, let c = client, c.setTLS(caFile: tls.caFile, certFile: tls.certFile, keyFile: tls.keyFile) != 0 {
                tlsFailed = true
                client = nil
                return
            }
        }
        client?.setCredentials(username: username, password: password)
        let rc = client?.connect(host: endpoint.host, port: Int32(endpoint.port), keepAlive: 30, bindAddress: nil) ?? -1
        if rc != 0 { retrySoon() }
    }

    /// A reconnect attempt is scheduled: repeated disconnect reports must not keep postponing it.
    private var retryPending = false

    private func retrySoon() {
        guard !retryPending else { return }
        retryPending = true
        reactor.schedule(slot, at: HostClock.now() + .milliseconds(100))
    }

    func descriptorReady(_ events: UInt32, fd: Int32) { client?.ready(events) }
    func timerFired(at now: Instant) {
        retryPending = false
        if !connected { connect() }
    }
    func housekeeping() { client?.housekeeping() }

    func mqttConnected(returnCode: Int32) {
        guard returnCode == 0 else { return }
        if connected == false && signalledOnce { reconnects.add(1, ordering: .relaxed) }
        connected = true
        pendingSubscriptions = topicFilters.map { client?.subscribe(topic: $0, qos: subscribeQoS).mid ?? -1 }
    }

    func mqttDisconnected(returnCode: Int32) {
        connected = false
        retrySoon()
    }

    func mqttSubscribed(mid: Int32, granted: [Int32]) {
        guard let i = pendingSubscriptions.firstIndex(of: mid), granted.allSatisfy({ $0 < 0x80 }) else { return }
        pendingSubscriptions.remove(at: i)
        if pendingSubscriptions.isEmpty && !signalledOnce {
            signalledOnce = true
            subscribed.signal()
        }
    }

    func mqttPublished(mid: Int32) {}

    func mqttMessage(topic: UnsafeBufferPointer<UInt8>, payload: UnsafeRawBufferPointer) {
        let now = HostClock.now()
        guard let id = statusPattern.key(of: topic) else {
            switch telemetry.isEmpty ? .noStream : telemetry.receive(topic: topic, payload: payload, at: now) {
            case .new: telemetryReceived.add(1, ordering: .relaxed)
            case .notNew: break
            case .noStream: foreign.add(1, ordering: .relaxed)
            }
            return
        }
        // One hash of the key per message: the counted devices are in the table from the start.
        let slot = receivedByDevice.index(forKey: id)
        if slot == nil && (fleetOnly || ownDevices != nil) {
            // Another shard's device is not foreign, only not this shard's to count (without shards
            // every fleet key is in `receivedByDevice`, and `fleetKeys` is empty).
            if !fleetKeys.contains(id) { foreign.add(1, ordering: .relaxed) }
            return
        }
        guard let fields = HeartbeatFields(bytes: payload), !keyIsID || Observer.payload(payload, names: id) else {
            if Observer.isOfflineWill(payload) { offline.insert(id) } else { malformed.add(1, ordering: .relaxed) }
            return
        }
        if !offline.isEmpty { offline.remove(id) }
        let outcome: SequenceSet.Insertion
        if let slot {
            outcome = receivedByDevice.values[slot].add(fields.deliveryKey)
        } else {
            outcome = receivedByDevice[id, default: SequenceSet()].add(fields.deliveryKey)
        }
        switch outcome {
        case .inserted:
            received.add(1, ordering: .relaxed)
            if let ts = fields.timestampMicros {
                latency.record(microseconds: now.microseconds - ts)
                reactor.live?.e2e.append(now.microseconds - ts)
            }
        case .present:
            duplicates.add(1, ordering: .relaxed)
        case .full:
            malformed.add(1, ordering: .relaxed)
        }
    }

    /// The last will, `{"state":"offline"}` (short, no `seq`).
    static func isOfflineWill(_ payload: UnsafeRawBufferPointer) -> Bool {
        payload.count < 64 && String(decoding: payload, as: UTF8.self).contains("\"offline\"")
    }

    private static let idKey = Array("\"id\"".utf8)

    /// The payload's `"id"` is `id` (every status message a device sends starts with it), found with
    /// glibc's `memmem` like the other fields, and compared without building a string.
    static func payload(_ p: UnsafeRawBufferPointer, names id: String) -> Bool {
        guard let base = p.baseAddress, p.count > idKey.count,
              let hit = idKey.withUnsafeBytes({ k in simfleet_memmem(base, p.count, k.baseAddress, k.count) }) else { return false }
        var k = base.distance(to: UnsafeRawPointer(hit)) + idKey.count
        while k < p.count && (p[k] == 0x20 || p[k] == 0x3A) { k += 1 }
        guard k < p.count, p[k] == 0x22 else { return false }
        k += 1
        for byte in id.utf8 {
            guard k < p.count, p[k] == byte else { return false }
            k += 1
        }
        return k < p.count && p[k] == 0x22
    }

    /// Publishes `payload` (QoS 1) to each topic from the observer's client (operator commands).
    func publish(topics: [String], payload: [UInt8]) {
        reactor.post { [self] _ in
            for t in topics { _ = client?.publish(topic: t, payload: payload, qos: 1, retain: false) }
        }
    }

    /// Runs `body` on the observer's thread and waits for it (reads of its tables).
    func sync<T>(_ body: @escaping (Observer) -> T) -> T { reactor.sync { body(self) } }
}
