import DeviceCore
import Dispatch
import Glibc

/// Network faults between the fleet and the broker, carried out by the reactors' fault proxies
/// (thread-safe), and the up-front checks of what the devices connect with.
extension FleetRunner {
    /// One fault proxy per reactor (before any device exists).
    func startFaultProxies() throws(FleetError) {
        let c = configuration
        let loopback = endpointBase.host.hasPrefix("127.") || endpointBase.host == "localhost"
        for shard in shards {
            let ok: Bool = syncOn(shard.reactor) {
                let proxy = FaultProxy(reactor: shard.reactor) { index in
                    loopback ? ConnectionSpread.sourceAddress(index: index, devices: c.devices) : nil
                }
                proxy?.attach()
                shard.reactor.faultProxy = proxy
                return proxy != nil
            }
            if !ok { throw .invalid("the fault proxy could not listen on 127.0.0.1: " + String(cString: strerror(errno))) }
        }
    }

    /// Whether the devices reach the broker through the fault proxy at all.
    public var hasFaultProxy: Bool { configuration.proxiedDevices != .none }

    /// Puts `toxic` on the devices' links (both directions), replacing one of the same kind. Only
    /// devices among `configuration.proxiedDevices` can be impaired.
    public func applyToxic(_ toxic: Toxic, devices: [Int]) {
        forEachProxy(devices) { proxy, mine in proxy.apply(toxic, devices: mine) }
    }

    /// Removes one kind of toxic (nil: all) from the devices (nil: every device).
    public func clearToxics(_ kind: Toxic.Kind?, devices: [Int]?) {
        forEachProxy(devices) { proxy, mine in proxy.clear(kind, devices: devices == nil ? nil : mine) }
    }

    /// Makes the broker unreachable for every proxied device until `endBrokerOutage` (works with any
    /// broker: the broker itself is untouched, the fleet's path to it is not).
    public func beginBrokerOutage(_ mode: OutageMode) throws(FleetError) {
        guard hasFaultProxy else { throw .invalid("a broker outage needs the devices behind the fault proxy") }
        for shard in shards { syncOn(shard.reactor) { shard.reactor.faultProxy?.beginOutage(mode) } }
    }

    public func endBrokerOutage() {
        for shard in shards { syncOn(shard.reactor) { shard.reactor.faultProxy?.endOutage() } }
    }

    /// Heartbeats the devices published that the broker has not acknowledged yet (queued in their
    /// clients or held on the way): nil devices means the whole fleet.
    public func inFlight(devices: [Int]?) -> Int {
        let n = shards.count
        var total = 0
        for (r, shard) in shards.enumerated() {
            let mine = devices?.filter { $0 % n == r }
            if mine?.isEmpty == true { continue }
            total += syncOn(shard.reactor) {
                if let mine { return mine.reduce(0) { $0 + (shard.host(fleetIndex: $1, stride: n)?.unacknowledged.count ?? 0) } }
                return shard.hosts.reduce(0) { $0 + $1.unacknowledged.count }
            }
        }
        return total
    }

    /// What the fault proxies did so far (nil without a proxy).
    public func proxyStats() -> FaultProxyStats? {
        guard hasFaultProxy else { return nil }
        var total = FaultProxyStats()
        for shard in shards { total.add(syncOn(shard.reactor) { shard.reactor.faultProxy?.stats ?? FaultProxyStats() }) }
        return total
    }

    /// Every reactor's ledger of sessions lost and regained (read once the reactors have stopped).
    func linkLedgers() -> [LinkLedger] { shards.map { $0.reactor.linkLedger } }

    private func forEachProxy(_ devices: [Int]?, _ body: @escaping (FaultProxy, [Int]) -> Void) {
        let n = shards.count
        for (r, shard) in shards.enumerated() {
            let mine = devices?.filter { $0 % n == r } ?? []
            if devices != nil && mine.isEmpty { continue }
            shard.reactor.post { reactor in
                if let proxy = reactor.faultProxy { body(proxy, mine) }
            }
        }
    }

    /// The observer's TLS: the devices' settings with `simfleet-observer` as `{id}` (its own
    /// certificate when the broker requires one per client).
    static func observerTLS(_ tls: TLSSettings, configuration c: FleetConfiguration) -> TLSSettings {
        tls.isTemplate ? tls.resolved(n: 0, id: "simfleet-observer", chip: c.chip.idPrefix, mac: "") : tls
    }

    /// Every client's TLS settings must be usable before the run starts (exit 2 otherwise).
    static func checkTLS(_ tls: TLSSettings, configuration c: FleetConfiguration) throws(FleetError) {
        var clients: [(who: String, tls: TLSSettings)] = [("the observer", observerTLS(tls, configuration: c))]
        if tls.isTemplate {
            for i in 0..<c.devices {
                let spec = c.deviceSpec(i)
                clients.append(("device " + spec.id, tls.resolved(n: i + 1, id: spec.id, chip: c.chip.idPrefix, mac: spec.macText)))
            }
        } else if c.devices > 0 {
            clients.append(("the devices", tls))
        }
        try TLSCheck.verify(clients)
    }
}
