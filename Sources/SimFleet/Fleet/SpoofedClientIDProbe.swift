import DeviceCore

/// An ACL probe that tries what a stolen device credential would: a second client logged in with
/// one device's user name and password but another device's client id, subscribing to that other
/// device's status topic (in the run's layout). On a broker that keys its ACL on the client id it reads them; the embedded
/// broker keys it on the user name and renames the client to its user name
/// (`use_username_as_clientid`), so nothing arrives. Like the subscription probes it waits
/// `DeviceHost.probeWindow` after the SUBACK: the target's retained status arriving is **allowed**,
/// silence (or a SUBACK 0x80) **refused**.
///
/// The broker gives the probe the prober's own client id, so the prober's session is taken over:
/// that device reconnects once, and its reconnect may in turn end the probe. A probe ended after
/// its SUBACK with nothing delivered counts as refused (the target's retained status would have
/// come with the SUBACK); one ended before is tried again, up to three connections.
final class SpoofedClientIDProbe: ReactorClient, MosquittoClientDelegate {
    private unowned(unsafe) let reactor: Reactor
    private let counters: FleetCounters
    private let endpoint: BrokerEndpoint
    private let username: String?
    private let password: String?
    /// The client id claimed, and the topic filter of that device.
    let claimedID: String
    let topic: String
    private var slot: Int32 = -1
    private var client: MosquittoClient?
    private var subscribeMID: Int32 = -1
    private var subackAt: Instant?
    private var connections = 0
    private var settled = false

    init(reactor: Reactor, endpoint: BrokerEndpoint, username: String?, password: String?, claimedID: String, topic: String) {
        self.reactor = reactor
        self.counters = reactor.counters
        self.endpoint = endpoint
        self.username = username
        self.password = password
        self.claimedID = claimedID
        self.topic = topic
    }

    /// Attaches to the reactor and connects (reactor thread). The probe detaches itself once settled.
    func start() {
        slot = reactor.attach(self)
        counters.bump(counters.aclAttempts)
        connect()
    }

    private func connect() {
        connections += 1
        client = MosquittoClient(clientID: claimedID, delegate: self, reactor: reactor, slot: slot)
        guard let client else { return settle(allowed: nil) }
        if let tls = endpoint.tls { _ = client.setTLS(caFile: tls.caFile, certFile: tls.certFile, keyFile: tls.keyFile) }
        client.setCredentials(username: username, password: password)
        if client.connect(host: endpoint.host, port: Int32(endpoint.port), keepAlive: 30, bindAddress: endpoint.bindAddress) != 0 {
            retryOrGiveUp()
        }
    }

    private func retryOrGiveUp() {
        release()
        if connections < 3 { reactor.schedule(slot, at: HostClock.now() + .milliseconds(200)) } else { settle(allowed: nil) }
    }

    /// Drops the client outside libmosquitto's callbacks (these run inside its calls).
    private func release() {
        guard let c = client else { return }
        client = nil
        reactor.post { _ in c.disconnect() }
    }

    /// `allowed` nil: no verdict could be reached (the attempt stays counted, neither refused nor allowed).
    private func settle(allowed: Bool?) {
        guard !settled else { return }
        settled = true
        if allowed == true { counters.bump(counters.aclAllowed) }
        if allowed == false { counters.bump(counters.aclRefused) }
        release()
        reactor.schedule(slot, at: nil)
        let slot = self.slot
        reactor.post { r in r.detach(slot) }
    }

    // MARK: - ReactorClient

    func descriptorReady(_ events: UInt32, fd: Int32) { client?.ready(events) }

    func timerFired(at now: Instant) {
        guard !settled else { return }
        if let at = subackAt {
            if now >= at + DeviceHost.probeWindow { settle(allowed: false) }
        } else if client == nil {
            connect()
        }
    }

    func housekeeping() { client?.housekeeping() }

    // MARK: - MosquittoClientDelegate

    func mqttConnected(returnCode: Int32) {
        guard returnCode == 0 else { return settle(allowed: false) }  // the broker refused the login itself
        subscribeMID = client?.subscribe(topic: topic, qos: 0).mid ?? -1
    }

    func mqttSubscribed(mid: Int32, granted: [Int32]) {
        guard mid == subscribeMID else { return }
        if granted.contains(where: { $0 >= 0x80 }) { return settle(allowed: false) }
        let now = HostClock.now()
        subackAt = now
        reactor.schedule(slot, at: now + DeviceHost.probeWindow)
    }

    func mqttMessage(topic: UnsafeBufferPointer<UInt8>, payload: UnsafeRawBufferPointer) {
        settle(allowed: true)
    }

    func mqttDisconnected(returnCode: Int32) {
        guard !settled else { return }
        if subackAt != nil { return settle(allowed: false) }
        retryOrGiveUp()
    }

    func mqttPublished(mid: Int32) {}
}
