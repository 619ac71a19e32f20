import CMosquitto
import DeviceCore
import Dispatch
import Synchronization

/// One extra MQTT client subscribed to every device's status topic (QoS 1): it measures
/// end-to-end latency from the heartbeat's `ts` and records which sequence numbers arrived, so a
/// run reports what the backend received rather than what the simulator hoped it sent.
final class Observer: ReactorClient, MosquittoClientDelegate, @unchecked Sendable {
    private unowned(unsafe) let reactor: Reactor
    private var slot: Int32 = -1
    private var client: MosquittoClient?
    private let endpoint: BrokerEndpoint
    private let username: String?
    private let password: String?
    let topicFilter: String
    private var subscribeMID: Int32 = -1
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
    /// Only the fleet's ids are accounted for; false: any id (an observer with no fleet list).
    private let fleetOnly: Bool
    /// Received sequence numbers per device id; read after the reactor has stopped.
    private(set) var receivedByDevice: [String: SequenceSet] = [:]
    private(set) var latency = LatencyRecorder()
    /// Devices whose latest status says offline (last will fired), by id.
    private(set) var offline: Set<String> = []

    /// `fleetIDs`: the devices whose heartbeats count; status messages of other ids are `foreign`.
    init(reactor: Reactor, endpoint: BrokerEndpoint, username: String?, password: String?, topicFilter: String = "device/+/status",
         fleetIDs: [String]? = nil) {
        self.reactor = reactor
        self.endpoint = endpoint
        self.username = username
        self.password = password
        self.topicFilter = topicFilter
        fleetOnly = fleetIDs != nil
        if let fleetIDs {
            receivedByDevice = Dictionary(fleetIDs.map { ($0, SequenceSet()) }, uniquingKeysWith: { first, _ in first })
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
        if client == nil {
            client = MosquittoClient(clientID: "simfleet-observer", delegate: self, reactor: reactor, slot: slot)
            if let tls = endpoint.tls { _ = client?.setTLS(caFile: tls.caFile, certFile: tls.certFile, keyFile: tls.keyFile) }
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
        subscribeMID = client?.subscribe(topic: topicFilter, qos: 1).mid ?? -1
    }

    func mqttDisconnected(returnCode: Int32) {
        connected = false
        retrySoon()
    }

    func mqttSubscribed(mid: Int32, granted: [Int32]) {
        guard mid == subscribeMID, granted.allSatisfy({ $0 < 0x80 }) else { return }
        if !signalledOnce {
            signalledOnce = true
            subscribed.signal()
        }
    }

    func mqttPublished(mid: Int32) {}

    func mqttMessage(topic: UnsafeBufferPointer<UInt8>, payload: UnsafeRawBufferPointer) {
        let now = HostClock.now()
        guard let id = Observer.deviceID(fromStatusTopic: topic) else {
            foreign.add(1, ordering: .relaxed)
            return
        }
        // One hash of the id per message: the fleet's ids are in the table from the start.
        let slot = receivedByDevice.index(forKey: id)
        if fleetOnly && slot == nil {
            foreign.add(1, ordering: .relaxed)
            return
        }
        guard let fields = HeartbeatFields(bytes: payload), Observer.payload(payload, names: id) else {
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
            if let ts = fields.timestampMicros { latency.record(microseconds: now.microseconds - ts) }
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

    private static let prefix = Array("device/".utf8)
    private static let suffix = Array("/status".utf8)

    /// `device/<id>/status` → `<id>` (ids up to 15 bytes stay in a small string: no allocation).
    static func deviceID(fromStatusTopic topic: UnsafeBufferPointer<UInt8>) -> String? {
        let n = topic.count, p = prefix.count, s = suffix.count
        guard n > p + s, topic.starts(with: prefix), topic[(n - s)...].elementsEqual(suffix) else { return nil }
        let id = UnsafeBufferPointer(rebasing: topic[p..<(n - s)])
        guard !id.contains(UInt8(ascii: "/")) else { return nil }
        return String(decoding: id, as: UTF8.self)
    }

    static func deviceID(fromStatusTopic topic: String) -> String? {
        var t = topic
        return t.withUTF8 { deviceID(fromStatusTopic: $0) }
    }

    /// Runs `body` on the observer's thread and waits for it (reads of its tables).
    func sync<T>(_ body: @escaping (Observer) -> T) -> T {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var out: T?
        reactor.post { [self] _ in
            out = body(self)
            done.signal()
        }
        done.wait()
        return out!
    }
}
