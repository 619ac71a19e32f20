import DeviceCore
import DeviceTestKit

/// A share of a virtual-time fleet that one thread runs: its devices in an array, one deadline
/// each in a `DeadlineHeap` (the hot path: a heartbeat is a pop, `handle(.tick)`, the observer's
/// bookkeeping and a push — no closure, no allocation of the engine's own), and a `Simulation` for
/// the rare timed events (CONNACKs, downloads from the scripted origin, delayed publishes).
/// Partitions share nothing while they run; the fleet stops them together at epoch boundaries to
/// sample, judge conditions and apply timeline steps. Nothing random is shared between devices,
/// so a run gives the same outcome on any number of partitions.
final class VirtualPartition: @unchecked Sendable {
    let index: Int
    /// Devices by slot; slot `s` is fleet index `s * stride + index`.
    @exclusivity(unchecked) var hosts: [VirtualHost] = []
    let stride: Int
    @exclusivity(unchecked) var heap = DeadlineHeap()
    let simulation: Simulation
    let network: Network
    /// The scripted firmware origin (this partition's view; files and faults are the fleet's).
    let origin: FirmwareServer
    let counters = FleetCounters()
    /// Heartbeats the observer received (unique device and key).
    @exclusivity(unchecked) var received = 0
    @exclusivity(unchecked) var e2e = LatencyRecorder()
    var connectLatency = LatencyRecorder()
    /// The broker is up (set by the fleet at epoch boundaries).
    @exclusivity(unchecked) var brokerUp = true
    /// One-way latency between a device and the broker.
    let oneWay: TimeSpan
    /// Watches every boot, event and received status (swarm invariants); nil in plain runs.
    weak var monitor: VirtualFleetMonitor? { didSet { monitored = monitor != nil } }
    /// `monitor` was set: the hot path asks this instead of loading the weak reference per event.
    @exclusivity(unchecked) private(set) var monitored = false
    /// A bug planted on purpose by a test (never set by the shipped commands).
    var plantedBug: PlantedBug?
    /// Every status payload the observer received, by slot (and the offline wills), when a test
    /// asked for them (`VirtualFleet.recordStatuses`); nil otherwise.
    @exclusivity(unchecked) var statusLog: [Int: [[UInt8]]]?
    @exclusivity(unchecked) var queue: [Event] = []
    @exclusivity(unchecked) var head = 0
    @exclusivity(unchecked) private var busy = false
    private var census: (changes: Int, counts: [String: Int])?

    init(index: Int, stride: Int, start: Instant, oneWay: TimeSpan, seed: UInt64) {
        self.index = index
        self.stride = stride
        self.oneWay = oneWay
        simulation = Simulation(seed: seed, start: start)
        network = Network(simulation: simulation, defaults: LinkConditions(latency: TimeSpan(microseconds: oneWay.microseconds / 2)))
        origin = FirmwareServer(simulation: simulation, network: network)
    }

    var now: Instant { simulation.now }

    func fleetIndex(ofSlot slot: Int) -> Int { slot * stride + index }

    // MARK: - Running

    /// Runs every device deadline and timed event up to and including `end`.
    func run(until end: Instant) {
        while true {
            let device = heap.first
            if let job = simulation.nextJobAt, job <= end, device.map({ job <= $0.deadline }) ?? true {
                simulation.advanceTime(to: job)
                continue
            }
            guard let (at, slot) = device, at <= end else { break }
            simulation.advanceTime(to: at)
            fire(slot)
        }
        simulation.advanceTime(to: end)
    }

    private func fire(_ slot: Int) {
        let now = simulation.now
        if let at = hosts[slot].powerOnAt {
            if at <= now { powerOn(slot) } else { reschedule(slot) }
        } else {
            deliver(slot, .tick)
        }
    }

    // MARK: - Events in, actions out

    /// Queues `event` for the device; handled at once unless the device is being handled already.
    func deliver(_ slot: Int, _ event: Event) {
        guard !busy, queue.isEmpty else {
            enqueue(event)
            return drain(slot)
        }
        // Nothing waits before it (a heartbeat's tick): handled without a trip through the queue.
        busy = true
        handle(slot, event, at: simulation.now)
        finishDrain(slot)
    }

    func enqueue(_ event: Event) { queue.append(event) }

    /// Hands the device every queued event, then whatever their actions queue, in order.
    func drain(_ slot: Int) {
        guard !busy else { return }
        busy = true
        finishDrain(slot)
    }

    private func handle(_ slot: Int, _ event: Event, at now: Instant) {
        guard hosts[slot].isPoweredOn else { return }
        let actions = hosts[slot].firmware.handle(event, at: now)
        // The running version is the name the device reports (its release), as on sockets.
        if case .powerOn = event { setVersion(slot, hosts[slot].firmware.firmwareVersion) }
        for action in actions where hosts[slot].isPoweredOn { perform(slot, action) }  // a power cut ends the batch
        if monitored { monitor?.handled(self, slot: slot, event: event, actions: actions) }
    }

    /// `drain`'s loop and what follows it, with `busy` set.
    private func finishDrain(_ slot: Int) {
        let now = simulation.now
        while head < queue.count {
            let event = queue[head]
            head += 1
            handle(slot, event, at: now)
        }
        queue.removeAll(keepingCapacity: true)
        head = 0
        busy = false
        let updatingNow = hosts[slot].isPoweredOn && hosts[slot].firmware.isUpdating
        if updatingNow != hosts[slot].updating {
            hosts[slot].updating = updatingNow
            counters.bump(counters.updating, by: updatingNow ? 1 : -1)
            if !updatingNow { hosts[slot].chip?.settle() }  // the image bytes go back to sharing
        }
        reschedule(slot)
    }

    func reschedule(_ slot: Int) {
        heap.set(slot, to: hosts[slot].nextWake())
    }

    /// Delivers `event` at `at`, unless the device lost power (or its connection, with `connection`) since.
    func later(_ slot: Int, at: Instant, connection: Bool = false, _ event: Event) {
        let generation = hosts[slot].generation
        let link = hosts[slot].connection
        simulation.schedule(at: at) { [unowned self] in
            guard self.hosts[slot].generation == generation, !connection || self.hosts[slot].connection == link else { return }
            self.deliver(slot, event)
        }
    }

    // MARK: - Power

    func powerOn(_ slot: Int) {
        hosts[slot].advance(.powerOn)
        counters.bump(counters.poweredOn)
        counters.bump(counters.versionChanges)
        guard let boot = bootChip(slot, .powerOn) else { return reschedule(slot) }
        deliver(slot, .powerOn(.powerOn, boot: boot))
    }

    /// Runs the bootloader (the chip), or without a chip reports the spec's version in ota_0. nil
    /// when nothing is bootable: the device stays dark, as a bricked ESP32 would.
    func bootChip(_ slot: Int, _ reason: ResetReason) -> BootInfo? {
        guard hosts[slot].chip != nil else { return BootInfo(slot: 0, firmwareVersion: hosts[slot].runningVersion) }
        let boot = hosts[slot].chip!.boot(reason)
        if monitored { monitor?.booted(self, slot: slot, info: boot) }
        guard let boot else {
            counters.bump(counters.bricked)
            return nil
        }
        if boot.rolledBackFrom != nil { counters.bump(counters.rollbacks) }
        if boot.pendingVerify { counters.bump(counters.imagesBooted) }
        return boot
    }

    func setVersion(_ slot: Int, _ version: String) {
        if hosts[slot].runningVersion != version {
            hosts[slot].runningVersion = version
            counters.bump(counters.versionChanges)
        }
    }

    /// Power is gone now (a scenario's power cycle, a cut during a flash write); back after `off`.
    func powerCycle(_ slot: Int, offFor off: TimeSpan) {
        guard hosts[slot].isPoweredOn else { return }
        dropConnection(slot)
        setLink(slot, .off)
        hosts[slot].advance(.powerOff(until: now + off))
        hosts[slot].generation += 1
        counters.bump(counters.versionChanges)
        if hosts[slot].faultCell != nil { hosts[slot].faults.delayed.removeAll() }
        if !busy { queue.removeAll(keepingCapacity: true); head = 0 } else { head = queue.count }
        reschedule(slot)
    }

    // MARK: - Reports

    /// Versions the powered devices run (recounted only after some device changed).
    func versionCounts() -> [String: Int] {
        let changes = counters.versionChanges.load(ordering: .relaxed)
        if let census, census.changes == changes { return census.counts }
        var out: [String: Int] = [:]
        for h in hosts where h.isPoweredOn { out[h.runningVersion, default: 0] += 1 }
        census = (changes, out)
        return out
    }
}

/// A bug planted on purpose by a test, so the swarm can show it finds one and replays it from its
/// seed. Only `@testable` code can set it; `simfleet swarm` and `simfleet run` never do.
enum PlantedBug: Sendable, Equatable {
    /// A torn flash write also loses the eFuse burns not yet "committed": the anti-rollback
    /// counter goes back to what it was before the last burn.
    case eFuseBurnLostOnTornWrite
}
