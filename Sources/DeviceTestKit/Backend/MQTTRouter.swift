import DeviceCore

/// The broker of a simulated world: sessions by client id, topic filters with `+` and `#`, retained
/// messages (an empty retained payload clears one), last wills published when a client vanishes,
/// and an optional ACL. Like the embedded Mosquitto it keeps nothing across a restart (no
/// persistence): retained messages and sessions are gone. Deliveries are callbacks; the hosts put
/// their own links (`Network`) in front of them. Orders are fixed (sessions in connect order,
/// retained messages by topic), so a run replays exactly.
public final class MQTTRouter {
    /// One message as the broker routes it.
    public struct Message: Equatable, Sendable {
        public var topic: String
        public var payload: [UInt8]
        public var qos: Int
        public var retain: Bool

        public init(topic: String, payload: [UInt8], qos: Int = 0, retain: Bool = false) {
            self.topic = topic
            self.payload = payload
            self.qos = qos
            self.retain = retain
        }

        public init(_ publish: MQTTPublish) {
            self.init(topic: publish.topic, payload: publish.payload, qos: publish.qos, retain: publish.retain)
        }

        public var text: String { String(decoding: payload, as: UTF8.self) }
    }

    /// What an ACL is asked about.
    public enum Access: Equatable, Sendable { case publish, subscribe }

    /// Why a connect did not get a session.
    public enum ConnectRefusal: Error, Equatable, Sendable {
        /// The broker is down (TCP connect refused).
        case unavailable
        /// CONNACK 5: the authorizer said no.
        case notAuthorized
    }

    /// Counters for tests and reports.
    public struct Stats: Equatable, Sendable {
        public var connects = 0
        public var published = 0
        public var delivered = 0
        public var willsPublished = 0
        public var refusedByACL = 0
        public var restarts = 0
    }

    public let simulation: Simulation
    public private(set) var isUp = true
    public private(set) var stats = Stats()
    /// May `client` publish to / subscribe to `topic`? nil allows everything.
    public var acl: ((_ client: String, _ topic: String, _ access: Access) -> Bool)?
    /// May `client` connect with `username`/`password`? nil lets everyone in.
    public var authorize: ((_ client: String, _ username: String?, _ password: String?) -> Bool)?

    private struct Session {
        var subscriptions: [(filter: String, qos: Int)] = []
        var will: Message?
        let deliver: (Message) -> Void
        let dropped: () -> Void
    }

    private var sessions: [String: Session] = [:]
    private var order: [String] = []
    private var retained: [String: Message] = [:]

    public init(simulation: Simulation) { self.simulation = simulation }

    // MARK: - Sessions

    /// Opens a session for `client` (taking over an existing one, which is dropped without its will).
    /// `deliver` receives routed messages; `dropped` runs when the broker ends the session (restart).
    public func connect(client: String, username: String? = nil, password: String? = nil, will: Message? = nil,
                        deliver: @escaping (Message) -> Void, dropped: @escaping () -> Void = {}) -> Result<Void, ConnectRefusal> {
        guard isUp else { return .failure(.unavailable) }
        if let authorize, !authorize(client, username, password) { return .failure(.notAuthorized) }
        if let old = sessions.removeValue(forKey: client) {
            order.removeAll { $0 == client }
            old.dropped()
        }
        sessions[client] = Session(will: will, deliver: deliver, dropped: dropped)
        order.append(client)
        stats.connects += 1
        return .success(())
    }

    /// Ends `client`'s session: a clean DISCONNECT discards the will, a vanished client gets it published.
    public func disconnect(client: String, clean: Bool) {
        guard let session = sessions.removeValue(forKey: client) else { return }
        order.removeAll { $0 == client }
        if !clean, let will = session.will {
            stats.willsPublished += 1
            route(will)
        }
    }

    public func isConnected(_ client: String) -> Bool { sessions[client] != nil }

    /// Clients with a session, in connect order.
    public var connectedClients: [String] { order }

    /// Subscribes; matching retained messages are delivered at once (by topic). False when refused
    /// (SUBACK 0x80: the ACL said no, or there is no session).
    @discardableResult
    public func subscribe(client: String, filter: String, qos: Int = 1) -> Bool {
        guard sessions[client] != nil else { return false }
        if let acl, !acl(client, filter, .subscribe) {
            stats.refusedByACL += 1
            return false
        }
        sessions[client]!.subscriptions.append((filter, qos))
        let deliver = sessions[client]!.deliver
        for topic in retained.keys.sorted() where TopicFilter.matches(filter, topic) {
            stats.delivered += 1
            deliver(retained[topic]!)
        }
        return true
    }

    /// A client publishes. False when refused (no session, or the ACL said no: Mosquitto drops such
    /// a publish silently, the client's PUBACK still comes).
    @discardableResult
    public func publish(from client: String, _ message: Message) -> Bool {
        guard sessions[client] != nil else { return false }
        if let acl, !acl(client, message.topic, .publish) {
            stats.refusedByACL += 1
            return false
        }
        route(message)
        return true
    }

    /// The backend itself publishes (commands to devices); no session needed. False when down.
    @discardableResult
    public func inject(_ message: Message) -> Bool {
        guard isUp else { return false }
        route(message)
        return true
    }

    /// The retained message on `topic`, if any.
    public func retainedMessage(_ topic: String) -> Message? { retained[topic] }

    // MARK: - Life cycle

    /// The broker stops: every session ends without wills (the process is gone), retained messages
    /// are lost, connects are refused until `start`.
    public func stop() {
        guard isUp else { return }
        isUp = false
        stats.restarts += 1
        simulation.note("broker: stopped")
        let ended = order.compactMap { sessions[$0] }
        sessions = [:]
        order = []
        retained = [:]
        for s in ended { s.dropped() }
    }

    public func start() {
        guard !isUp else { return }
        isUp = true
        simulation.note("broker: started")
    }

    /// Stops now and starts again after `down`.
    public func restart(downFor down: TimeSpan) {
        stop()
        simulation.schedule(after: down) { [weak self] in self?.start() }
    }

    // MARK: - Routing

    private func route(_ message: Message) {
        stats.published += 1
        if message.retain {
            if message.payload.isEmpty { retained[message.topic] = nil } else { retained[message.topic] = message }
        }
        for client in order {
            guard let session = sessions[client] else { continue }
            guard let sub = session.subscriptions.first(where: { TopicFilter.matches($0.filter, message.topic) }) else { continue }
            if let acl, !acl(client, message.topic, .subscribe) { continue }  // filtered at delivery, as Mosquitto does
            var copy = message
            copy.qos = min(message.qos, sub.qos)
            copy.retain = false  // live delivery: the retain flag is only set for retained replays
            stats.delivered += 1
            session.deliver(copy)
        }
    }
}
