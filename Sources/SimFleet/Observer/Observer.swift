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
    /// Received sequence numbers per device id; read after the reactor has stopped.
    private(set) var receivedByDevice: [String: SequenceSet] = [:]
    private(set) var latency = LatencyRecorder()
    /// Devices whose latest status says offline (last will fired), by id.
    private(set) var offline: Set<String> = []

    init(reactor: Reactor, endpoint: BrokerEndpoint, username: String?, password: String?, topicFilter: String = "device/+/status") {
        self.reactor = reactor
        self.endpoint = endpoint
        self.username = username
        self.password = password
        self.topicFilter = topicFilter
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

    private func retrySoon() {
        reactor.schedule(slot, at: HostClock.now() + .milliseconds(100))
    }

    func descriptorReady(_ events: UInt32, fd: Int32) { client?.ready(events) }
    func timerFired(at now: Instant) { if !connected { connect() } }
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
        guard let id = Observer.deviceID(fromStatusTopic: topic) else { return }
        guard let fields = HeartbeatFields(bytes: payload) else {
            if payload.count < 64, String(decoding: payload, as: UTF8.self).contains("offline") { offline.insert(id) }
            return
        }
        if !offline.isEmpty { offline.remove(id) }  // hashing the id once per heartbeat is enough
        if receivedByDevice[id, default: SequenceSet()].insert(fields.deliveryKey) {
            received.add(1, ordering: .relaxed)
            if let ts = fields.timestampMicros {
                latency.record(microseconds: now.microseconds - ts)
                reactor.live?.e2e.append(now.microseconds - ts)
            }
        } else {
            duplicates.add(1, ordering: .relaxed)
        }
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
