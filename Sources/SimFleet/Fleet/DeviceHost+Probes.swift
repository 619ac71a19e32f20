import DeviceCore

/// ACL probes: a device's own client tries topics outside its namespace; the verdict is counted.
extension DeviceHost {
    /// ACL probe: the device's own client subscribes to `topic` (another device's, say). The broker's
    /// SUBACK decides: 0x80 counts as refused, a granted QoS as allowed.
    func probeSubscription(_ topic: String) {
        guard let client, link == .online else { return }
        let r = client.subscribe(topic: topic, qos: 0)
        guard r.rc == 0 else { return }
        counters.bump(counters.aclAttempts)
        probes.append((r.mid, topic, nil))
    }

    /// ACL probe with a second client: this device's credentials, `otherID` as the client id,
    /// subscribing to `topic`, that device's status topic (`SpoofedClientIDProbe`).
    func probeSpoofedClientID(_ otherID: String, topic: String) {
        let spec = firmware.config
        SpoofedClientIDProbe(reactor: reactor, endpoint: endpoint, username: spec.mqttUsername, password: spec.mqttPassword,
                             claimedID: otherID, topic: topic).start()
    }

    func settleProbes(now: Instant) {
        let due = probes.filter { $0.verdictAt.map { $0 <= now } ?? false }
        guard !due.isEmpty else { return }
        probes.removeAll { $0.verdictAt.map { $0 <= now } ?? false }
        for p in due {
            counters.bump(counters.aclRefused)
            client?.unsubscribe(topic: p.topic)
        }
    }

    var probeDeadline: Instant? { probes.compactMap(\.verdictAt).min() }

    func reschedule() {
        switch life {
        case .frozen, .frozenOff: return
        case .off(let at): return reactor.schedule(slot, at: at)
        case .running: break
        }
        var next = firmware.nextDeadline
        if let p = probeDeadline { next = next.map { min($0, p) } ?? p }
        if case .awaitingRetry(_, let r) = registrationState { next = next.map { min($0, r) } ?? r }
        if let k = client?.housekeepingDueMicros.map(Instant.init(microseconds:)) { next = next.map { min($0, k) } ?? k }
        reactor.schedule(slot, at: next)
    }

}
