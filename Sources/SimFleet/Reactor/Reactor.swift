import CMosquitto
import DeviceCore
import Foundation
import Glibc
import NIOConcurrencyHelpers
import Synchronization

/// Something a reactor drives: a device's MQTT client, the observer. It is called only on its
/// reactor's thread.
protocol ReactorClient: AnyObject {
    /// One of the client's descriptors is ready (`EPOLLIN`/`EPOLLOUT`/`EPOLLERR` bits).
    func descriptorReady(_ events: UInt32, fd: Int32)
    /// The deadline the client set with `Reactor.schedule` has passed.
    func timerFired(at now: Instant)
    /// Periodic housekeeping (MQTT keepalive pings), every `Reactor.miscInterval`, for clients
    /// attached with `periodic: true`.
    func housekeeping()
}

extension ReactorClient {
    func housekeeping() {}
}

/// One event-loop thread: an epoll set, a timer heap with one entry per client and an eventfd-woken
/// inbox for commands from other threads. Everything a client does happens on this thread, so the
/// per-message path takes no lock.
final class Reactor: @unchecked Sendable {
    let index: Int
    private let threadName: String
    private let epfd: Int32
    var epollFD: Int32 { epfd }
    private let wakeFD: Int32
    private var clients: [ReactorClient?] = []
    private var freeSlots: [Int32] = []
    /// Slots whose clients get `housekeeping()` every `miscInterval`. Devices are not among them:
    /// they fold their keepalive into their own timer, so a reactor never sweeps its whole shard.
    private var periodicSlots: [Int32] = []
    private var timers = TimerHeap()
    private let inbox = CommandInbox()
    private let stopping = Atomic<Bool>(false)
    private var thread: OSThread?
    private let finished = DispatchSemaphore(value: 0)
    let counters = FleetCounters()
    /// HTTP transfers of this reactor's devices (created on first use, reactor thread only).
    lazy var downloads = CurlMulti(reactor: self)
    /// `downloads` once something created it (asking `downloads` would create it).
    weak var createdDownloads: CurlMulti?
    /// Connect latencies (ms × 1000) recorded on this thread; merged into the report at the end.
    var connectLatency = LatencyRecorder()
    /// Device HTTP requests made on this thread, by kind (registration, manifest, firmware).
    let http = HTTPAccounting()
    /// Longest a device's manifest request may take, seconds (`FleetOTAOptions.manifestTimeoutSeconds`).
    var manifestTimeoutSeconds = 30
    /// Latencies for the live `/metrics` since it last took them; nil when nobody serves metrics.
    var live: LiveLatencySamples? {
        didSet { http.live = live }
    }
    /// The fault proxy in front of the broker for this reactor's devices, when a scenario asks for
    /// network faults (`FaultProxy`); nil otherwise.
    var faultProxy: FaultProxy?
    /// When this reactor's devices lost and regained their broker sessions (per-fault report).
    var linkLedger = LinkLedger()
    /// Telemetry messages sent and acknowledged by this reactor's devices, per stream.
    var telemetry = TelemetryTally()
    /// Requests this reactor's devices answered on their own web servers (`--device-http`).
    var deviceHTTP = DeviceHTTPTally()

    /// How often every client gets `housekeeping()`.
    static let miscInterval: Int64 = 2_000_000
    /// Longest sleep of a reactor with nothing scheduled (it is woken by its inbox anyway).
    static let idleWait: Int64 = 60_000_000

    /// The wall clock (µs) when the current loop iteration's `epoll_wait` returned: a cheap "now"
    /// for bookkeeping that needs no more than loop precision (keepalive activity).
    private(set) var loopMicros: Int64 = HostClock.now().microseconds

    /// Timer granularity in µs: deadlines fire on the next multiple of it (like FreeRTOS's 10 ms
    /// tick), so devices due close together are served by one wake-up instead of one each.
    let tickMicros: Int64

    /// `name`: the thread's name (default `simfleet-reactor-INDEX`).
    init(index: Int, tickMicros: Int64 = 10_000, name: String? = nil) {
        self.index = index
        self.threadName = name ?? "simfleet-reactor-\(index)"
        self.tickMicros = max(1, tickMicros)
        epfd = epoll_create1(Int32(EPOLL_CLOEXEC))
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        _ = simfleet_epoll_ctl(epfd, EPOLL_CTL_ADD, wakeFD, EPOLLIN.rawValue, 0)
    }

    deinit {
        close(epfd)
        close(wakeFD)
    }

    /// Starts the loop on its own thread.
    func start() {
        thread = OSThread(name: threadName, stackSize: 1 << 20) { [self] in loop() }
    }

    /// Runs `body` on the reactor thread (thread-safe; the only cross-thread entry point).
    func post(_ body: @escaping (Reactor) -> Void) {
        inbox.push(body)
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    /// Runs `body` on the reactor thread and waits for its result: reads of state only that thread
    /// touches (hosts, counters' tables). Never from the reactor thread itself, which would wait forever.
    func sync<T>(_ body: @escaping () -> T) -> T {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var out: T?
        post { _ in
            out = body()
            done.signal()
        }
        done.wait()
        return out!
    }

    /// Asks the loop to end and waits for its thread to finish.
    func stopAndJoin() {
        stopping.store(true, ordering: .releasing)
        post { _ in }
        if thread != nil { finished.wait() }
        thread = nil
    }

    // MARK: - Client registration (reactor thread only)

    /// Room for `more` clients and their timers before a batch is attached: a fleet added at once is
    /// stored without the slack of growing by doubling (ten thousand devices: a third of a megabyte).
    /// Smaller batches than the clients already attached grow as usual (no reallocation per batch).
    func reserve(clients more: Int) {
        guard more >= clients.count else { return }
        clients.reserveCapacity(clients.count + more)
        timers.reserve(slots: clients.count + more)
    }

    /// Gives `client` a slot: the key for its timer and its descriptor. `periodic`: the client
    /// also gets `housekeeping()` every `miscInterval`.
    func attach(_ client: ReactorClient, periodic: Bool = true) -> Int32 {
        let slot: Int32
        if let free = freeSlots.popLast() {
            slot = free
            clients[Int(slot)] = client
        } else {
            clients.append(client)
            slot = Int32(clients.count - 1)
        }
        if periodic { periodicSlots.append(slot) }
        return slot
    }

    func detach(_ slot: Int32) {
        timers.set(slot, to: nil)
        clients[Int(slot)] = nil
        if let i = periodicSlots.firstIndex(of: slot) { periodicSlots.remove(at: i) }
        freeSlots.append(slot)
    }

    /// Sets the slot's single timer (nil cancels it).
    func schedule(_ slot: Int32, at deadline: Instant?) {
        timers.set(slot, to: deadline?.microseconds)
    }

    /// Adds, changes or removes (`EPOLL_CTL_DEL`) interest in `fd` for `slot`; errno on failure.
    @discardableResult
    func watch(fd: Int32, slot: Int32, events: UInt32, op: Int32) -> Int32 {
        simfleet_epoll_ctl(epfd, op, fd, events, Reactor.key(fd: fd, slot: slot)) == 0 ? 0 : errno
    }

    /// epoll user data: the descriptor in the high half, slot + 1 in the low half (0 = the inbox).
    static func key(fd: Int32, slot: Int32) -> UInt64 { UInt64(UInt32(bitPattern: fd)) << 32 | UInt64(UInt32(slot) &+ 1) }

    // MARK: - Loop

    private func loop() {
        var datas = [UInt64](repeating: 0, count: 256)
        var masks = [UInt32](repeating: 0, count: 256)
        var nextMisc = HostClock.now().microseconds + Reactor.miscInterval
        while !stopping.load(ordering: .acquiring) {
            let now = HostClock.now().microseconds
            // The only wake-ups: the earliest timer (rounded up to the tick so neighbours share it),
            // housekeeping while there are periodic clients, and the inbox. An idle reactor sleeps.
            var wake = periodicSlots.isEmpty ? now + Reactor.idleWait : nextMisc
            if let first = timers.first, first.deadline < wake {
                wake = (first.deadline + tickMicros - 1) / tickMicros * tickMicros
            }
            let timeout = Int32(max(0, min(Reactor.idleWait / 1000, (wake - now + 999) / 1000)))
            let n = datas.withUnsafeMutableBufferPointer { d in
                masks.withUnsafeMutableBufferPointer { m in
                    simfleet_epoll_wait(epfd, d.baseAddress, m.baseAddress, 256, timeout)
                }
            }
            if n > 0 {
                loopMicros = HostClock.now().microseconds
                for i in 0..<Int(n) {
                    let key = datas[i]
                    if key == 0 {
                        drainInbox()
                    } else if let client = clients[Int((key & 0xFFFF_FFFF) - 1)] {
                        client.descriptorReady(masks[i], fd: Int32(truncatingIfNeeded: key >> 32))
                    }
                }
            }
            let after = HostClock.now()
            loopMicros = after.microseconds
            // At most one pass over what was due: a client that sets its timer into the past again
            // fires on the next iteration, after I/O and the inbox, instead of spinning here forever.
            var due = timers.count
            while due > 0, let slot = timers.popDue(now: after.microseconds) {
                due -= 1
                clients[Int(slot)]?.timerFired(at: after)
            }
            if after.microseconds >= nextMisc {
                for slot in periodicSlots { clients[Int(slot)]?.housekeeping() }
                nextMisc = after.microseconds + Reactor.miscInterval
            }
        }
        drainInbox()
        finished.signal()
    }

    private func drainInbox() {
        var counter: UInt64 = 0
        _ = read(wakeFD, &counter, 8)
        let work = inbox.takeAll()
        for body in work { body(self) }
    }
}

/// Commands posted to a reactor from other threads. The lock is held only to append or swap the
/// array: this is the control path (scenario steps, shutdown), never the per-message path.
final class CommandInbox: @unchecked Sendable {
    private let lock = NIOLock()
    private var items: [(Reactor) -> Void] = []

    func push(_ body: @escaping (Reactor) -> Void) {
        lock.lock()
        items.append(body)
        lock.unlock()
    }

    func takeAll() -> [(Reactor) -> Void] {
        lock.lock()
        let w = items
        items = []
        lock.unlock()
        return w
    }
}
