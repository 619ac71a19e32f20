import CMosquitto
import DeviceCore
import Glibc

/// A TCP fault proxy in front of any broker, inside one reactor: one loopback listener per reactor.
/// A proxied device's libmosquitto connect() is redirected to it (`simfleet_mosquitto_connect_via_proxy`)
/// and the device announces the connection first (`expect`): its source address and port name the
/// device, and the address libmosquitto meant to reach is where the proxy connects onwards. MQTT and
/// TLS run end to end unchanged (TLS still verifies the broker's own name). Toxics are set per device
/// and act on both directions; a broker outage acts on every proxied connection. Used only when a
/// scenario asks for a network fault; each proxied device costs two more descriptors (the accepted
/// socket and the one to the broker), see `DescriptorBudget`.
final class FaultProxy: ReactorClient {
    /// How a new connection is treated.
    enum Admission { case connect, hold, refuse, reset }

    unowned(unsafe) let reactor: Reactor
    private var slot: Int32 = -1
    private var listenFD: Int32
    /// The listener's port on 127.0.0.1.
    let port: Int
    /// The local address a device's connection to the broker leaves from (the fleet's source
    /// address spread), by fleet index.
    let upstreamBind: (Int) -> String?
    /// One read buffer for every link of this reactor (all on its thread).
    let readBuffer: UnsafeMutableRawBufferPointer
    private var links: [ObjectIdentifier: ProxyLink] = [:]
    private var faultsByDevice: [Int: LinkFaults] = [:]
    /// The broker outage in force, nil when the broker is reachable.
    private(set) var outage: OutageMode?
    var stats = FaultProxyStats()
    /// Announced connections by source address and port: which device, and where it was going.
    private var expected: [UInt64: (device: Int, target: ProxyTarget)] = [:]
    private var expectedByDevice: [Int: UInt64] = [:]
    private var acceptPaused = false

    /// A proxy listening on a free loopback port; nil when no socket could be made (errno set).
    init?(reactor: Reactor, upstreamBind: @escaping (Int) -> String?) {
        guard let listener = ProxySocket.listen() else { return nil }
        self.reactor = reactor
        self.upstreamBind = upstreamBind
        listenFD = listener.fd
        port = listener.port
        readBuffer = .allocate(byteCount: 64 * 1024, alignment: 16)
    }

    deinit { readBuffer.deallocate() }

    /// Starts accepting (reactor thread).
    func attach() {
        slot = reactor.attach(self, periodic: false)
        reactor.watch(fd: listenFD, slot: slot, events: EPOLLIN.rawValue, op: EPOLL_CTL_ADD)
    }

    /// Closes every link and the listener (reactor thread).
    func shutdown() {
        for link in Array(links.values) { link.close(reset: false) }
        if listenFD >= 0 {
            Glibc.close(listenFD)
            listenFD = -1
            reactor.detach(slot)
        }
    }

    var linkCount: Int { links.count }

    /// A device's connection from `source` (address and port, `ProxySocket.key`) is on its way to
    /// the listener and meant for `target`. A newer announcement of the same device replaces an
    /// older one that never arrived.
    func expect(source: UInt64, device: Int, target: ProxyTarget) {
        if let old = expectedByDevice[device] { expected[old] = nil }
        expected[source] = (device, target)
        expectedByDevice[device] = source
    }

    // MARK: - Faults (reactor thread)

    func faults(for device: Int?) -> LinkFaults {
        guard let device, !faultsByDevice.isEmpty else { return .none }
        return faultsByDevice[device] ?? .none
    }

    func isBlackholed(_ device: Int?) -> Bool {
        outage == .blackhole || (device != nil && !faultsByDevice.isEmpty && faults(for: device).blackhole != nil)
    }

    func admission(for device: Int?) -> Admission {
        switch outage {
        case .refuse?: return .refuse
        case .reset?: return .reset
        case .blackhole?: return .hold
        case nil: break
        }
        let f = faults(for: device)
        if f.refuse { return .refuse }
        if f.blackhole != nil { return .hold }
        return .connect
    }

    /// Puts `toxic` on the devices' links, replacing one of the same kind.
    func apply(_ toxic: Toxic, devices: [Int]) {
        let now = HostClock.now().microseconds
        for d in devices { faultsByDevice[d, default: .none].apply(toxic, at: now) }
        refresh(Set(devices), now: now)
    }

    /// Removes one kind of toxic (nil: every kind) from the devices (nil: every device).
    func clear(_ kind: Toxic.Kind?, devices: [Int]?) {
        let now = HostClock.now().microseconds
        let targets = devices ?? Array(faultsByDevice.keys)
        for d in targets {
            guard var f = faultsByDevice[d] else { continue }
            if let kind { f.clear(kind) } else { f = .none }
            faultsByDevice[d] = f.isEmpty ? nil : f
        }
        refresh(Set(targets), now: now)
    }

    /// The broker becomes unreachable for every proxied connection.
    func beginOutage(_ mode: OutageMode) {
        outage = mode
        switch mode {
        case .refuse:
            for link in Array(links.values) { link.close(reset: false) }
        case .reset:
            stats.resets += links.count
            for link in Array(links.values) { link.close(reset: true) }
        case .blackhole:
            break  // links check `isBlackholed` before every write
        }
    }

    /// The broker is reachable again: held requests connect, held bytes flow.
    func endOutage() {
        outage = nil
        refresh(nil, now: HostClock.now().microseconds)
    }

    /// Resets the devices' connections (TCP RST both ways): a disconnect storm.
    func reset(devices: [Int]) -> Int {
        let targets = Set(devices)
        var n = 0
        for link in Array(links.values) where link.device.map(targets.contains) == true {
            link.close(reset: true)
            n += 1
        }
        stats.resets += n
        return n
    }

    private func refresh(_ devices: Set<Int>?, now: Int64) {
        for link in Array(links.values) {
            if let devices, !(link.device.map(devices.contains) ?? false) { continue }
            if link.phase == .held { link.release(now: now) } else { link.pump(now: now) }
        }
    }

    // MARK: - Links

    func unlinked(_ link: ProxyLink) { links[ObjectIdentifier(link)] = nil }

    func lost(_ count: Int) {
        guard count > 0 else { return }
        stats.packetsLost += count
        reactor.counters.bump(reactor.counters.packetsLost, by: count)
    }

    // MARK: - ReactorClient

    func descriptorReady(_ events: UInt32, fd: Int32) {
        let now = HostClock.now().microseconds
        for _ in 0..<64 {
            let (accepted, source) = ProxySocket.accept(listenFD)
            if accepted < 0 {
                if errno == EMFILE || errno == ENFILE {
                    // Out of descriptors: stop listening for a moment instead of spinning on a
                    // readable listener; the device's connect times out and it retries.
                    stats.acceptFailures += 1
                    acceptPaused = true
                    reactor.watch(fd: listenFD, slot: slot, events: 0, op: EPOLL_CTL_MOD)
                    reactor.schedule(slot, at: Instant(microseconds: now + 100_000))
                }
                return
            }
            guard let source, let route = expected.removeValue(forKey: source) else {
                // Nobody announced it: not one of this reactor's devices.
                stats.unexpected += 1
                ProxySocket.close(accepted, reset: true)
                continue
            }
            if expectedByDevice[route.device] == source { expectedByDevice[route.device] = nil }
            let link = ProxyLink(proxy: self, fd: accepted, device: route.device, target: route.target, now: now)
            links[ObjectIdentifier(link)] = link
            stats.peakLinks = max(stats.peakLinks, links.count)
            link.attach(reactor, now: now)
        }
    }

    func timerFired(at now: Instant) {
        guard acceptPaused, listenFD >= 0 else { return }
        acceptPaused = false
        reactor.watch(fd: listenFD, slot: slot, events: EPOLLIN.rawValue, op: EPOLL_CTL_MOD)
    }
}

/// What one reactor's fault proxy did (the report's `network.proxy`).
public struct FaultProxyStats: Sendable, Equatable {
    /// Connections carried to the broker.
    public var connections = 0
    /// New connections refused (refuse toxic, outage in refuse mode).
    public var refused = 0
    /// Connections reset (reset_peer, outage in reset mode, disconnect storms, a reset from either side).
    public var resets = 0
    /// Connections the proxy closed for a toxic (timeout with a close delay, limit_data).
    public var closedByFault = 0
    /// Connections to the broker that could not be made.
    public var upstreamFailures = 0
    /// First transmissions lost to packet_loss (resent after the retransmission timeout).
    public var packetsLost = 0
    /// Connections nobody announced (not from one of the reactor's devices), reset at once.
    public var unexpected = 0
    public var acceptFailures = 0
    /// Most links open at once.
    public var peakLinks = 0

    public init() {}

    mutating func add(_ o: FaultProxyStats) {
        connections += o.connections
        refused += o.refused
        resets += o.resets
        closedByFault += o.closedByFault
        upstreamFailures += o.upstreamFailures
        packetsLost += o.packetsLost
        unexpected += o.unexpected
        acceptFailures += o.acceptFailures
        peakLinks += o.peakLinks
    }
}
