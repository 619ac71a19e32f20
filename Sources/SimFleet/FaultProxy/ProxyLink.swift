import CMosquitto
import DeviceCore
import Glibc

/// One device connection through the fault proxy: the accepted socket (device side), the socket to
/// the broker libmosquitto meant to reach, and a flow each way that the toxics in force hold back.
/// A reactor client of its own (its slot, its one timer), on the proxy's reactor thread: two more
/// descriptors per proxied device, no thread.
final class ProxyLink: ReactorClient {
    /// What the link is waiting for.
    enum Phase: Equatable {
        /// Accepted during a blackhole: nothing goes to the broker (as a SYN into the dark) until it ends.
        case held
        /// Connecting to the broker; what the device sends meanwhile waits.
        case connecting
        /// Bytes flow both ways (as the toxics allow).
        case open
        case closed
    }

    private unowned(unsafe) let proxy: FaultProxy
    private var slot: Int32 = -1
    let deviceFD: Int32
    private(set) var brokerFD: Int32 = -1
    /// The device's fleet index.
    let device: Int?
    private(set) var phase = Phase.held
    private let target: ProxyTarget
    /// device → broker and broker → device.
    private var up = ProxyFlow()
    private var down = ProxyFlow()
    private var deviceMask: UInt32 = 0
    private var brokerMask: UInt32 = 0
    /// A side that failed while a blackhole hid it from the other: out of epoll for good, its close
    /// passed on when the blackhole ends (`sideFailed`).
    private var deviceDead = false
    private var brokerDead = false
    /// When the link was accepted (µs), the start of reset_peer's and timeout's clocks.
    private let openedAt: Int64
    private var random: SeededRandom

    init(proxy: FaultProxy, fd: Int32, device: Int, target: ProxyTarget, now: Int64) {
        self.proxy = proxy
        deviceFD = fd
        self.device = device
        self.target = target
        openedAt = now
        random = SeededRandom(seed: UInt64(bitPattern: now) ^ UInt64(device) &* 0x9E37_79B9_7F4A_7C15)
    }

    /// Registers with the reactor and lets the connection through, holds it or turns it away, as
    /// the faults in force say.
    func attach(_ reactor: Reactor, now: Int64) {
        slot = reactor.attach(self, periodic: false)
        watchDevice(EPOLLIN.rawValue)
        admit(now: now)
    }

    private func admit(now: Int64) {
        switch proxy.admission(for: device) {
        case .refuse:
            // Refused: the device's CONNECT meets a reset before any broker sees it.
            proxy.stats.refused += 1
            close(reset: true)
        case .reset:
            proxy.stats.resets += 1
            close(reset: true)
        case .hold:
            phase = .held
        case .connect:
            connectBroker(now: now)
        }
    }

    // MARK: - ReactorClient

    func descriptorReady(_ events: UInt32, fd: Int32) {
        guard phase != .closed else { return }
        let now = HostClock.now().microseconds
        if events & EPOLLERR.rawValue != 0 && phase != .connecting {
            // A reset (or another error) on one side is a reset on the other, unless a blackhole
            // hides it: then it waits, as a close, for the blackhole to end.
            guard phase == .open, proxy.isBlackholed(device) else { return close(reset: true) }
            sideFailed(fd)
            return pump(now: now)
        }
        if fd == deviceFD {
            if events & EPOLLOUT.rawValue != 0 { flush(.down, now: now) }
            if phase != .closed, events & (EPOLLIN.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 {
                read(.up, now: now)
            }
        } else if fd == brokerFD {
            if phase == .connecting {
                if events & (EPOLLOUT.rawValue | EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 { brokerConnected(now: now) }
            } else {
                if events & EPOLLOUT.rawValue != 0 { flush(.up, now: now) }
                if phase != .closed, events & (EPOLLIN.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 {
                    read(.down, now: now)
                }
            }
        }
        if phase != .closed { pump(now: now) }
    }

    func timerFired(at now: Instant) {
        guard phase != .closed else { return }
        pump(now: now.microseconds)
    }

    /// The blackhole that held this connection ended: it goes on to the broker now (as a SYN that
    /// finally got through), unless the device gave up meanwhile.
    func release(now: Int64) {
        guard phase == .held else { return }
        if up.sourceClosed { return close(reset: false) }
        if proxy.admission(for: device) != .hold { admit(now: now) }
    }

    private func connectBroker(now: Int64) {
        guard let started = ProxySocket.connect(to: target, from: device.flatMap(proxy.upstreamBind)) else {
            // The broker cannot be reached: the device sees its connection reset.
            proxy.stats.upstreamFailures += 1
            return close(reset: true)
        }
        brokerFD = started.fd
        phase = .connecting
        if started.connected { brokerConnected(now: now) } else { watchBroker(EPOLLOUT.rawValue) }
    }

    private func brokerConnected(now: Int64) {
        guard ProxySocket.connectError(brokerFD) == 0 else {
            proxy.stats.upstreamFailures += 1
            return close(reset: true)
        }
        phase = .open
        proxy.stats.connections += 1
        watchBroker(EPOLLIN.rawValue)
        watchDevice(EPOLLIN.rawValue)
    }

    // MARK: - Bytes

    /// The two directions: `up` device → broker, `down` broker → device.
    private enum Side { case up, down }

    /// Runs `body` on one direction's flow. `body` must not end the link (`close` empties both flows).
    @discardableResult
    private func mutate<T>(_ side: Side, _ body: (inout ProxyFlow) -> T) -> T {
        switch side {
        case .up: return body(&up)
        case .down: return body(&down)
        }
    }

    private func flow(_ side: Side) -> ProxyFlow { side == .up ? up : down }

    /// Reads what the `side`'s source has for the other end (straight through when nothing delays it).
    private func read(_ side: Side, now: Int64) {
        let faults = proxy.faults(for: device)
        let blackholed = proxy.isBlackholed(device)
        let (source, sink) = side == .up ? (deviceFD, brokerFD) : (brokerFD, deviceFD)
        let buffer = proxy.readBuffer
        var budget = 8  // reads per readiness: one link cannot starve the reactor
        while budget > 0, phase != .closed {
            budget -= 1
            let state = flow(side)
            guard state.wantsMore, !state.sourceClosed else { break }
            let n = recv(source, buffer.baseAddress, buffer.count, 0)
            if n < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK { break }
                // A reset (or another hard error) on one side is a reset on the other.
                guard blackholed else { return close(reset: true) }
                sideFailed(source)
                break
            }
            if n == 0 {
                mutate(side) { $0.sourceClosed = true }
                break
            }
            let allowed = state.allowance(n, faults: faults)
            let bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<allowed])
            if phase == .open && state.passesThrough(faults, blackholed: blackholed) {
                let written = ProxySocket.send(sink, bytes)
                if written < 0 { return close(reset: true) }
                mutate(side) { flow in
                    flow.passed(written)
                    if written < allowed {
                        flow.hold(UnsafeRawBufferPointer(rebasing: bytes[written...]), now: now, faults: .none, random: &random)
                    }
                }
            } else {
                proxy.lost(mutate(side) { $0.hold(bytes, now: now, faults: faults, random: &random) })
            }
            if allowed < n {
                // limit_data: what went through is the last of this connection.
                proxy.stats.closedByFault += 1
                mutate(side) { flow in
                    flow.sourceClosed = true
                    flow.closeDue = now
                }
                break
            }
        }
    }

    /// Writes what is due on `side` to its sink; false when the link closed.
    @discardableResult
    private func flush(_ side: Side, now: Int64) -> Bool {
        guard phase == .open, !proxy.isBlackholed(device) else { return true }
        let sink = side == .up ? brokerFD : deviceFD
        while let chunk = flow(side).due(at: now) {
            let n = chunk.withUnsafeBytes { ProxySocket.send(sink, $0) }
            if n < 0 {
                close(reset: true)
                return false
            }
            mutate(side) { $0.consumed(n) }
            if n < chunk.count { break }
        }
        return true
    }

    /// Moves due bytes, carries out closes, resets and timeouts that are due, keeps epoll interest
    /// and the timer in step with what is waiting.
    func pump(now: Int64) {
        guard phase != .closed else { return }
        let faults = proxy.faults(for: device)
        if phase == .held && up.sourceClosed {
            return close(reset: false)  // the device gave up before the broker ever heard of it
        }
        if let after = faults.resetAfter, now >= max(openedAt, faults.resetSince) + after {
            proxy.stats.resets += 1
            return close(reset: true)
        }
        if case .some(.some(let after)) = faults.blackhole, now >= max(openedAt, faults.blackholeSince) + after {
            proxy.stats.closedByFault += 1
            return close(reset: false)
        }
        guard phase == .open else {
            watchDevice(EPOLLIN.rawValue * (up.wantsMore && !up.sourceClosed ? 1 : 0))
            return schedule(faults, now: now)
        }
        guard flush(.up, now: now), flush(.down, now: now) else { return }
        let blackholed = proxy.isBlackholed(device)
        for direction in 0..<2 {
            let drained = direction == 0 ? up.isEmpty : down.isEmpty
            let closed = direction == 0 ? up.sourceClosed : down.sourceClosed
            guard closed, drained, !blackholed else { continue }
            let due = (direction == 0 ? up.closeDue : down.closeDue) ?? (now + (faults.slowClose ?? 0))
            if direction == 0 { up.closeDue = due } else { down.closeDue = due }
            if now >= due { return close(reset: false) }
        }
        watchDevice(EPOLLIN.rawValue * (up.wantsMore && !up.sourceClosed ? 1 : 0)
                    | (down.due(at: now) != nil && !blackholed ? EPOLLOUT.rawValue : 0))
        watchBroker(EPOLLIN.rawValue * (down.wantsMore && !down.sourceClosed ? 1 : 0)
                    | (up.due(at: now) != nil && !blackholed ? EPOLLOUT.rawValue : 0))
        schedule(faults, now: now)
    }

    private func schedule(_ faults: LinkFaults, now: Int64) {
        var next: Int64?
        func consider(_ t: Int64?) { if let t, t > now { next = min(next ?? t, t) } }
        if phase == .open && !proxy.isBlackholed(device) {
            consider(up.nextDue)
            consider(down.nextDue)
            consider(up.closeDue)
            consider(down.closeDue)
        }
        if let after = faults.resetAfter { consider(max(openedAt, faults.resetSince) + after) }
        if case .some(.some(let after)) = faults.blackhole { consider(max(openedAt, faults.blackholeSince) + after) }
        proxy.reactor.schedule(slot, at: next.map { Instant(microseconds: $0) })
    }

    /// `fd`'s side failed while blackholed: it leaves epoll (an error stays readable forever), what
    /// it sent so far still goes on, nothing more can reach it.
    private func sideFailed(_ fd: Int32) {
        proxy.reactor.watch(fd: fd, slot: slot, events: 0, op: EPOLL_CTL_DEL)
        if fd == deviceFD {
            deviceDead = true
            up.sourceClosed = true
            down.discard()
        } else {
            brokerDead = true
            down.sourceClosed = true
            up.discard()
        }
    }

    // MARK: - Ending

    /// Ends the link: both sockets closed (with RST when `reset`), the slot given back.
    func close(reset: Bool) {
        guard phase != .closed else { return }
        phase = .closed
        up.discard()
        down.discard()
        ProxySocket.close(deviceFD, reset: reset)
        ProxySocket.close(brokerFD, reset: reset)
        brokerFD = -1
        proxy.reactor.detach(slot)
        proxy.unlinked(self)
    }

    // MARK: - Plumbing

    private func watchDevice(_ events: UInt32) {
        if !deviceDead { deviceMask = watch(deviceFD, events, current: deviceMask) }
    }

    private func watchBroker(_ events: UInt32) {
        if !brokerDead { brokerMask = watch(brokerFD, events, current: brokerMask) }
    }

    /// Brings `fd`'s epoll interest to `events`. A descriptor with no interest stays registered
    /// with an empty mask (it still reports hang-ups and errors).
    private func watch(_ fd: Int32, _ events: UInt32, current: UInt32) -> UInt32 {
        guard fd >= 0 else { return current }
        let wanted = events | 0x8000_0000  // bit 31 marks "registered" in our bookkeeping only
        if wanted == current { return current }
        let op = current == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD
        proxy.reactor.watch(fd: fd, slot: slot, events: events, op: op)
        return wanted
    }
}
