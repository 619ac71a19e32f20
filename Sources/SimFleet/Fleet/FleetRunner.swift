import DeviceCore
import Dispatch
import Foundation
import Glibc

/// Runs a fleet: raises the descriptor limit, starts the embedded broker (unless a broker is
/// given), the observer and one reactor per core, powers devices on along the ramp, and at the end
/// drains in-flight heartbeats and builds the report.
///
/// Typical use: `let run = FleetRunner<Firmware>(configuration: c); try run.start();
/// let report = run.runToCompletion()`. The scenario engine calls the timeline hooks
/// (`powerCycle`, `dropWiFi`, `restartBroker`, `sendCommand`) and reads `snapshot()` while it runs.
/// All public methods are thread-safe; none may be called from a reactor thread.
public final class FleetRunner<Firmware: FleetFirmware>: @unchecked Sendable {
    public let configuration: FleetConfiguration
    public private(set) var budget = DescriptorBudget(softLimit: 0, hardLimit: 0, openAtStart: 0)
    /// The embedded broker, nil when the run uses an external one.
    public private(set) var broker: EmbeddedBroker?
    /// The embedded firmware origin (HTTP with Range and faults), nil with an external backend.
    public private(set) var origin: FirmwareOrigin?
    private var originTemporaryDirectory: String?
    /// The fleet's firmware images (factory flash, releases the origin serves); nil without flash modelling.
    public internal(set) var firmware: FirmwareCatalog?
    /// Called once per second (from the sampling thread) with the live totals and elapsed seconds.
    public var onSample: (@Sendable (FleetSnapshot, Double) -> Void)?

    var shards: [FleetShard<Firmware>] = []
    private var observer: Observer?
    private var endpointBase = BrokerEndpoint(host: "127.0.0.1", port: 1883)
    private var ports: [Int] = []
    private var startedAt = Date()
    private var startedMonotonic = 0.0
    private var rampStartMicros: Int64 = 0
    /// CPU seconds and heartbeats sent at the start of the steady window (2 s after the ramp).
    private var steadyMark: (cpu: Double, sent: Int)?
    private let stopRequested = DispatchSemaphore(value: 0)
    private var stopFlag = false
    private(set) var timeseries = Timeseries()
    private var started = false
    private var finished = false

    public init(configuration: FleetConfiguration) {
        self.configuration = configuration
    }

    deinit { if started && !finished { teardown() } }

    /// Brings everything up and starts the ramp; returns once the observer is subscribed.
    public func start() throws(FleetError) {
        let c = configuration
        guard c.devices >= 0, c.qos == 0 || c.qos == 1, c.heartbeatMs > 0, c.rampPerSecond > 0 else {
            throw .invalid("devices must be ≥ 0, qos 0 or 1, heartbeat and ramp positive")
        }
        budget = DescriptorBudget.raise()
        guard c.devices <= budget.deviceCeiling else {
            throw .tooManyDevices(requested: c.devices, ceiling: budget.deviceCeiling, fdLimit: budget.softLimit)
        }
        var observerUser: String? = nil
        var observerPassword: String? = nil
        switch c.broker {
        case .embedded:
            var accounts: [(String, String)] = []
            if c.usernameTemplate != nil || c.passwordTemplate != nil {
                accounts = (0..<c.devices).map { i in let s = c.deviceSpec(i); return (s.username ?? s.id, s.password ?? "") }
            }
            do {
                let b = try EmbeddedBroker(listeners: ConnectionSpread.listeners(for: c.devices), passwords: accounts)
                try b.start()
                broker = b
                ports = b.ports
                observerUser = b.observerUser
                observerPassword = b.observerPassword
            } catch {
                throw .broker(error)
            }
            endpointBase = BrokerEndpoint(host: "127.0.0.1", port: ports[0])
            do { try startOrigin() } catch {
                broker?.stop()
                throw .invalid("firmware origin: \(error)")
            }
        case .external(let host, let port, let tls):
            endpointBase = BrokerEndpoint(host: host, port: port, tls: tls)
            ports = [port]
            observerUser = c.observerUsername
            observerPassword = c.observerPassword
        }
        let fleetFirmware: FleetFirmwareSetup?
        do { fleetFirmware = try prepareFirmware() } catch {
            broker?.stop()
            origin?.stop()
            throw .invalid("firmware: \(error)")
        }
        started = true

        shards = (0..<c.reactors).map {
            FleetShard<Firmware>(reactor: Reactor(index: $0, tickMicros: Int64(c.timerTickMs) * 1000))
        }
        for shard in shards { shard.reactor.start() }
        // The observer shares reactor 0's loop (like one more client): no extra thread to wake.
        let obs = Observer(reactor: shards[0].reactor, endpoint: endpointBase, username: observerUser, password: observerPassword)
        observer = obs
        guard obs.start(timeoutSeconds: 10) else {
            teardown()
            throw .observerNotSubscribed(brokerURL)
        }

        startedAt = Date()
        startedMonotonic = HostClock.monotonicSeconds()
        let t0 = HostClock.now() + .milliseconds(50)
        rampStartMicros = t0.microseconds
        let loopback = endpointBase.host.hasPrefix("127.") || endpointBase.host == "localhost"
        let registration = c.api.map { ($0.hasSuffix("/") ? String($0.dropLast()) : $0) + "/devices/register" }
        for (r, shard) in shards.enumerated() {
            let indices = Array(stride(from: r, to: c.devices, by: shards.count))
            let base = endpointBase
            let ports = self.ports
            shard.reactor.post { reactor in
                let hosts = indices.map { i -> DeviceHost<Firmware> in
                    var ep = base
                    ep.port = ports[i % ports.count]
                    if loopback { ep.bindAddress = ConnectionSpread.sourceAddress(index: i, devices: c.devices) }
                    let at = t0 + TimeSpan(microseconds: Int64(Double(i) / c.rampPerSecond * 1_000_000))
                    var spec = c.deviceSpec(i)
                    let shell = c.accessPoints?.shell(for: &spec, reactor: reactor)
                    spec.ota = fleetFirmware?.settings
                    let host = DeviceHost<Firmware>(spec: spec, endpoint: ep, powerOnAt: at, reactor: reactor)
                    if let shell { host.provide(shell) }
                    host.chip = fleetFirmware?.chip()
                    host.registrationURL = registration
                    return host
                }
                shard.add(hosts)
            }
        }
    }

    /// The broker URL devices connect to.
    public var brokerURL: String {
        (endpointBase.tls == nil ? "mqtt://" : "mqtts://") + "\(endpointBase.host):\(ports.first ?? endpointBase.port)"
    }

    /// Live totals across reactors and the observer.
    public func snapshot() -> FleetSnapshot {
        var s = FleetSnapshot()
        s.requested = configuration.devices
        for shard in shards { s.add(shard.reactor.counters) }
        s.received = observer?.received.load(ordering: .relaxed) ?? 0
        return s
    }

    /// Seconds since the ramp started.
    public var elapsedSeconds: Double { HostClock.monotonicSeconds() - startedMonotonic }

    /// Seconds the ramp takes to power every device on.
    public var rampSeconds: Double { Double(configuration.devices) / configuration.rampPerSecond }

    /// Ends `runToCompletion` early (Ctrl-C, a failed scenario step).
    public func requestStop() {
        stopFlag = true
        stopRequested.signal()
    }

    // MARK: - Timeline hooks

    /// Power-cycles the devices at these fleet indices: no DISCONNECT (their last wills fire), back after `offFor`.
    public func powerCycle(devices: [Int], offFor: TimeSpan) {
        forEachHost(devices) { h, now in h.powerCycle(offFor: offFor, now: now) }
    }

    /// Takes WiFi away from these devices for `downFor`.
    public func dropWiFi(devices: [Int], downFor: TimeSpan) {
        forEachHost(devices) { h, now in h.dropWiFi(downFor: downFor, now: now) }
    }

    /// ACL probe: each device subscribes to `topic(index)` (e.g. another device's status topic);
    /// the report's `acl` section counts what the broker refused and allowed.
    public func probeACL(devices: [Int], topic: @escaping @Sendable (Int) -> String) {
        forEachHost(devices) { h, _ in h.probeSubscription(topic(h.spec.index)) }
    }

    /// Changes the faults the embedded firmware origin injects (corrupt, truncate, drop, rate limit).
    public func setOriginFaults(_ faults: OriginFaults) {
        origin?.setFaults(faults)
    }

    private func startOrigin() throws {
        var dir = configuration.firmwareDirectory
        if dir == nil {
            let tmp = NSTemporaryDirectory() + "simfleet-firmware-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
            originTemporaryDirectory = tmp
            dir = tmp
        }
        let o = try FirmwareOrigin(directory: dir!)
        try o.start()
        origin = o
    }

    /// Restarts the embedded broker (same ports); devices see the connection drop and reconnect with backoff.
    public func restartBroker(downForSeconds: Double) throws(FleetError) {
        guard let broker else { throw .invalid("restartBroker needs the embedded broker") }
        do { try broker.restart(downForSeconds: downForSeconds) } catch { throw .broker(error) }
    }

    /// Publishes `payload` (QoS 1) to `device/<id>/ota` of each device, e.g. an OTA command.
    public func sendCommand(devices: [Int], payload: [UInt8]) {
        let ids = devices.map { configuration.deviceSpec($0).id }
        observer?.publish(topics: ids.map { "device/\($0)/ota" }, payload: payload)
    }

    /// Device ids by fleet index (same seed, same ids).
    public func deviceID(_ index: Int) -> String { configuration.deviceSpec(index).id }

    private func forEachHost(_ devices: [Int], _ body: @escaping (DeviceHost<Firmware>, Instant) -> Void) {
        let n = shards.count
        for (r, shard) in shards.enumerated() {
            let mine = devices.filter { $0 % n == r }
            guard !mine.isEmpty else { continue }
            shard.reactor.post { _ in
                let now = HostClock.now()
                for i in mine { if let h = shard.host(fleetIndex: i, stride: n) { body(h, now) } }
            }
        }
    }

    // MARK: - Running to the end

    /// Runs for ramp + duration (or until `requestStop`), sampling once per second, then stops and reports.
    public func runToCompletion() -> FleetReport {
        let end = startedMonotonic + rampSeconds + configuration.durationSeconds
        var lastReceived = 0
        var nextSample = startedMonotonic + 1
        while !stopFlag {
            let now = HostClock.monotonicSeconds()
            if now >= end { break }
            let wait = min(nextSample, end) - now
            if stopRequested.wait(timeout: .now() + max(0, wait)) == .success { break }
            if HostClock.monotonicSeconds() >= nextSample {
                let s = snapshot()
                let versions = versionCounts()
                timeseries.append(t: Int((nextSample - startedMonotonic).rounded()), snapshot: s,
                                  messagesPerSecond: s.received - lastReceived, versions: versions)
                lastReceived = s.received
                onSample?(s, elapsedSeconds)
                if steadyMark == nil && elapsedSeconds >= rampSeconds + 2 {
                    steadyMark = (FleetRunner.processCPUSeconds(), s.sent)
                }
                nextSample += 1
            }
        }
        return finish()
    }

    /// Stops the devices, drains in-flight heartbeats to the observer, tears down and builds the report.
    public func finish() -> FleetReport {
        let duration = elapsedSeconds
        let steadyEnd = (cpu: FleetRunner.processCPUSeconds(), sent: snapshot().sent)
        for shard in shards { syncOn(shard.reactor) { shard.freeze() } }
        // Heartbeats still in flight: wait (bounded) for PUBACKs, then for the observer to catch up.
        let drainEnd = HostClock.monotonicSeconds() + configuration.drainSeconds
        var s = snapshot()
        while HostClock.monotonicSeconds() < drainEnd {
            s = snapshot()
            let ackedAll = configuration.qos == 0 || s.acknowledged >= s.sent
            if ackedAll && s.received >= (configuration.qos == 0 ? s.sent : s.acknowledged) { break }
            usleep(20_000)
        }
        s = snapshot()
        let accounting = deliveryAccounting()
        let failures = deviceFailures()
        let versions = versionCounts()
        var connect = LatencyRecorder()
        for shard in shards { connect.merge(shard.reactor.connectLatency) }
        let e2e = observer.map { o in o.sync { $0.latency } } ?? LatencyRecorder()
        let observerReconnects = observer?.reconnects.load(ordering: .relaxed) ?? 0
        teardown()
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let cpu = FleetRunner.processCPUSeconds()
        let allConnected = s.everConnected == configuration.devices && s.lastFirstConnectMicros > 0
        var report = FleetReport(
            configuration: configuration, startedAt: startedAt, durationSeconds: duration, brokerURL: brokerURL,
            embedded: configuration.broker == .embedded, snapshot: s, lost: accounting.lost, lostDetail: accounting.detail,
            unacknowledged: max(0, s.sent - s.acknowledged), connectLatency: connect, e2eLatency: e2e, versions: versions,
            peakRSSBytes: Int(usage.ru_maxrss) * 1024, cpuSeconds: cpu, reactors: shards.count, budget: budget,
            observerReconnects: observerReconnects, timeseries: timeseries)
        report.failures = failures
        report.originStats = origin?.stats
        report.connectAllSeconds = allConnected ? Double(Int64(s.lastFirstConnectMicros) - rampStartMicros) / 1e6 : nil
        if let mark = steadyMark {
            report.steadyCPUSeconds = steadyEnd.cpu - mark.cpu
            report.steadyHeartbeats = steadyEnd.sent - mark.sent
        }
        return report
    }

    /// User + system CPU of this process so far.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
            + Double(usage.ru_stime.tv_usec) / 1e6
    }

    /// Every acknowledged QoS 1 heartbeat not received by the observer, per device and sequence number.
    private func deliveryAccounting() -> (lost: Int, detail: [(device: String, seq: Int)]) {
        guard configuration.qos == 1, let observer else { return (0, []) }
        // Acknowledgements first, deliveries last: a heartbeat acknowledged between the two reads
        // has then had every chance to arrive, and is never miscounted as lost.
        var acked: [(String, SequenceSet)] = []
        for shard in shards {
            acked += syncOn(shard.reactor) { shard.hosts.map { ($0.spec.id, $0.acknowledged) } }
        }
        let received = observer.sync { $0.receivedByDevice }
        var lost = 0
        var detail: [(String, Int)] = []
        for (id, set) in acked {
            let missing = set.subtracting(received[id] ?? SequenceSet())
            lost += missing.count
            for seq in missing where detail.count < 100 { detail.append((id, seq)) }
        }
        return (lost, detail)
    }

    /// Devices that never connected, with their last error and how often they tried (first 100).
    private func deviceFailures() -> [DeviceFailure] {
        var out: [DeviceFailure] = []
        for shard in shards {
            let f: [DeviceFailure] = syncOn(shard.reactor) { shard.hosts.compactMap { $0.failure } }
            out.append(contentsOf: f)
        }
        return Array(out.sorted { $0.device < $1.device }.prefix(100))
    }

    /// When each device last completed a connect (Unix-epoch µs, 0 = never), by fleet index.
    func lastConnectTimes() -> [Int: Int64] {
        var out: [Int: Int64] = [:]
        for shard in shards {
            let t: [(Int, Int64)] = syncOn(shard.reactor) { shard.hosts.map { ($0.spec.index, $0.lastConnectedAt?.microseconds ?? 0) } }
            for (i, v) in t { out[i] = v }
        }
        return out
    }

    /// Ids whose latest status the observer saw was the offline last will.
    func observedOffline() -> Set<String> { observer?.sync { $0.offline } ?? [] }

    private func versionCounts() -> [String: Int] {
        var out: [String: Int] = [:]
        for shard in shards {
            let v = syncOn(shard.reactor) { shard.versionCounts() }
            for (k, n) in v { out[k, default: 0] += n }
        }
        return out
    }

    func syncOn<T>(_ reactor: Reactor, _ body: @escaping () -> T) -> T {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var out: T?
        reactor.post { _ in
            out = body()
            done.signal()
        }
        done.wait()
        return out!
    }

    private func teardown() {
        guard !finished else { return }
        finished = true
        for shard in shards { shard.reactor.post { _ in shard.shutdown() } }
        observer?.stop()
        for shard in shards { shard.reactor.stopAndJoin() }
        broker?.stop()
        origin?.stop()
        if let tmp = originTemporaryDirectory { try? FileManager.default.removeItem(atPath: tmp) }
    }
}
