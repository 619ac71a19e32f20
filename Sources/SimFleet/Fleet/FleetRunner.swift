import CMosquitto
import DeviceCore
import Dispatch
import Foundation
import Glibc
import Synchronization

/// Runs a fleet: raises the descriptor limit, starts the embedded broker (unless a broker is
/// given), the observer and one reactor per core, powers devices on along the ramp, and at the end
/// drains in-flight heartbeats and builds the report.
///
/// Typical use: `let run = FleetRunner(configuration: c); try run.start();
/// let report = run.runToCompletion()`. The scenario engine calls the timeline hooks
/// (`powerCycle`, `dropWiFi`, `restartBroker`, `sendCommand`) and reads `snapshot()` while it runs.
/// All public methods are thread-safe; none may be called from a reactor thread.
public final class FleetRunner: @unchecked Sendable {
    public let configuration: FleetConfiguration
    public private(set) var budget = DescriptorBudget(softLimit: 0, hardLimit: 0, openAtStart: 0)
    /// The embedded broker, nil when the run uses an external one.
    public private(set) var broker: EmbeddedBroker?
    /// The embedded firmware origin (HTTP with Range and faults), nil with an external backend.
    public private(set) var origin: FirmwareOrigin?
    var originTemporaryDirectory: String?
    /// The fleet's firmware images (factory flash, releases the origin serves); nil without flash modelling.
    public internal(set) var firmware: FirmwareCatalog?
    /// Commands published to devices' OTA topics so far.
    let commandsSent = Atomic<Int>(0)
    /// Called once per second (from the sampling thread) with the live totals and elapsed seconds.
    public var onSample: (@Sendable (FleetSnapshot, Double) -> Void)?
    /// Live Prometheus metrics this run feeds (set before `start`): totals and the latencies the
    /// fleet recorded, once a second and once more at the end, before the report is built.
    public var liveMetrics: FleetMetrics?
    /// Called once when the run ends, before devices stop and the broker goes away (the scenario
    /// engine stops its timeline here, so no step acts on a fleet being torn down).
    public var beforeFinish: (@Sendable () -> Void)?
    /// Called once everything is up and the observer subscribed, just before the ramp: returns the
    /// wall-clock instant (Unix µs) at which the ramp starts, nil for now. Sharded runs wait here
    /// for the other shards (`ShardRendezvous`); an error stops the start (`FleetError.invalid`).
    public var startGate: (@Sendable () throws -> Int64?)?
    /// Wall clock (Unix µs) at which `elapsedSeconds` was 0.
    public internal(set) var startedWallMicros: Int64 = 0

    var shards: [FleetShard] = []
    var observer: Observer?
    /// The observer's own loop: on a reactor shared with thousands of devices its reads waited behind
    /// their work, and that wait was reported as the backend's latency.
    var observerReactor: Reactor?
    var endpointBase = BrokerEndpoint(host: "127.0.0.1", port: 1883)
    var ports: [Int] = []
    var startedAt = Date()
    var startedMonotonic = 0.0
    var rampStartMicros: Int64 = 0
    /// CPU seconds and heartbeats sent at the start of the steady window (2 s after the ramp).
    var steadyMark: (cpu: Double, sent: Int)?
    /// Telemetry messages sent at the start of the steady window.
    var steadyTelemetryMark = 0
    let stopRequested = DispatchSemaphore(value: 0)
    /// Set by `requestStop` from any thread (a signal handler's queue, a timeline step) while the
    /// caller's thread polls it in `runToCompletion`: atomic, as ThreadSanitizer found it must be.
    let stopFlag = Atomic<Bool>(false)
    var timeseries = Timeseries()
    var started = false
    var finished = false

    public init(configuration: FleetConfiguration) {
        self.configuration = configuration
    }

    /// Random for every run: the embedded broker's device passwords derive from it (when no
    /// password template is given), so nothing outside this process can log in as a device.
    let runSecret = EmbeddedBroker.randomSecret()

    /// A device's password on the embedded broker: the first 90 bits of SHA-256 of the run's secret
    /// and the device id, as 15 base64url characters. Fifteen bytes is the longest string Swift
    /// keeps inline, so a device's copies (its config, its client's) cost no heap block each, as
    /// 32 hex digits did; 90 bits of a secret that lives one run are beyond guessing on a loopback broker.
    static func devicePassword(id: String, secret: String) -> String {
        let digest = OpenSSLSHA256.digest(Array((secret + "/" + id).utf8))
        var out: [UInt8] = []
        var bits = 0, pending = 0
        for byte in digest where out.count < passwordLength {
            bits = (bits << 8) | Int(byte)
            pending += 8
            while pending >= 6 && out.count < passwordLength {
                pending -= 6
                out.append(base64URL[(bits >> pending) & 63])
            }
            bits &= (1 << pending) - 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    static let passwordLength = 15
    private static let base64URL = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    deinit { if started && !finished { teardown() } }

    /// Brings everything up and starts the ramp; returns once the observer is subscribed.
    public func start() throws(FleetError) {
        let c = configuration
        // The plan (`ScenarioFleet.configuration`, from a scenario file or the flags) checked every
        // setting, the topics and the accounts, with the position of each; what is left here
        // depends on this machine (descriptors, ports, the broker starting).
        precondition(c.devices >= 0 && FleetLimits.qos.contains(c.qos) && c.heartbeatMs > 0 && c.rampPerSecond > 0,
                     "a FleetConfiguration with devices < 0, a qos other than 0, 1 or 2, or a heartbeat or ramp not positive")
        budget = DescriptorBudget.raise()
        budget.descriptorsPerDevice = c.deviceHTTP == nil ? 1 : 2
        let proxied = c.proxiedDevices == .none ? 0
            : (0..<c.localDevices).reduce(0) { $0 + (c.proxiedDevices.contains(c.slice.fleetIndex(ofLocal: $1)) ? 1 : 0) }
        guard c.localDevices <= budget.deviceCeiling else {
            if c.deviceHTTP != nil {
                throw .tooManyDevicesWithDeviceHTTP(requested: c.localDevices, ceiling: budget.deviceCeiling, fdLimit: budget.softLimit)
            }
            throw .tooManyDevices(requested: c.localDevices, ceiling: budget.deviceCeiling, fdLimit: budget.softLimit)
        }
        guard DescriptorBudget.needed(devices: c.localDevices, proxied: proxied) <= budget.deviceCeiling else {
            throw .tooManyProxiedDevices(requested: c.localDevices, proxied: proxied, available: budget.deviceCeiling,
                                         fdLimit: budget.softLimit)
        }
        var observerUser: String? = nil
        var observerPassword: String? = nil
        switch c.broker {
        case .embedded:
            // Every device has an account: its id as user name (the ACL is keyed on it) and the
            // password template's value, or one derived from a secret of this run.
            // The hosts below derive the same passwords again rather than keep this fleet-sized list
            // alive until they exist (it would stay behind as a hole in the trimmed heap).
            var accounts: [(String, String)] = []
            accounts.reserveCapacity(c.localDevices)
            for local in 0..<c.localDevices {
                let s = c.deviceSpec(c.slice.fleetIndex(ofLocal: local))
                accounts.append((s.id, s.password ?? FleetRunner.devicePassword(id: s.id, secret: runSecret)))
            }
            do {
                let b = try EmbeddedBroker(listeners: ConnectionSpread.listeners(for: c.localDevices), passwords: accounts,
                                           acl: c.brokerACL)
                b.onEvent = { line in StandardStream.error.write(line + "\n") }
                try b.start()
                broker = b
                ports = b.ports
                observerUser = b.observerUser
                observerPassword = b.observerPassword
            } catch {
                throw .broker(error)
            }
            endpointBase = BrokerEndpoint(host: "127.0.0.1", port: ports[0])
        case .external(let host, let port, let tls):
            endpointBase = BrokerEndpoint(host: host, port: port, tls: tls)
            ports = [port]
            observerUser = c.observerUsername
            observerPassword = c.observerPassword
            if let tls { try FleetRunner.checkTLS(tls, configuration: c) }
        }
        // The firmware origin runs with any broker: rollouts by command take their images from it.
        do { try startOrigin() } catch {
            broker?.stop()
            throw .invalid("firmware origin: \(error)")
        }
        let fleetFirmware: FleetFirmwareSetup?
        do { fleetFirmware = try prepareFirmware() } catch {
            broker?.stop()
            origin?.stop()
            throw .invalid("firmware: \(error)")
        }
        started = true

        shards = (0..<c.reactors).map {
            FleetShard(reactor: Reactor(index: $0, tickMicros: Int64(c.timerTickMs) * 1000))
        }
        for shard in shards { shard.reactor.manifestTimeoutSeconds = c.ota.manifestTimeoutSeconds }
        if liveMetrics != nil { for shard in shards { shard.reactor.live = LiveLatencySamples() } }
        for shard in shards { shard.reactor.start() }
        if proxied > 0 {
            do { try startFaultProxies() } catch {
                teardown()
                throw error
            }
        }
        // The observer has a loop of its own. On reactor 0 (one more client, no extra thread) its reads
        // waited behind 8,000 devices' work: at 16,000 devices the one-process run measured e2e p99
        // 768 ms against 72 ms for the same fleet as four processes (scripts/shard-proof).
        let observerLoop = Reactor(index: c.reactors, tickMicros: Int64(c.timerTickMs) * 1000, name: "simfleet-observer")
        if liveMetrics != nil { observerLoop.live = LiveLatencySamples() }
        observerLoop.start()
        observerReactor = observerLoop
        var observerEndpoint = endpointBase
        observerEndpoint.tls = endpointBase.tls.map { FleetRunner.observerTLS($0, configuration: c) }
        let obs = makeObserver(loop: observerLoop, endpoint: observerEndpoint, username: observerUser, password: observerPassword)
        observer = obs
        guard obs.start(timeoutSeconds: 10) else {
            teardown()
            throw .observerNotSubscribed(brokerURL)
        }

        // Setup is over (plan, accounts, password file, firmware images, the observer's table): the
        // pages of the buffers it dropped go back to the kernel before the devices are allocated
        // above them (at 10,000 devices about 1 MiB that otherwise stays resident all run).
        _ = malloc_trim(0)
        var gateInstant: Int64?
        if let startGate {
            do { gateInstant = try startGate() } catch {
                teardown()
                throw .invalid("start barrier: " + String(describing: error))
            }
        }
        if let gateInstant {
            // Everyone's ramp starts at the agreed instant: wake 50 ms early, as an ungated run does.
            while !stopFlag.load(ordering: .acquiring) {
                let lead = Double(gateInstant - HostClock.now().microseconds) / 1e6 - 0.05
                if lead <= 0 { break }
                _ = stopRequested.wait(timeout: .now() + min(lead, 1))
            }
        }
        startedAt = Date()
        startedMonotonic = HostClock.monotonicSeconds()
        startedWallMicros = HostClock.now().microseconds
        let t0 = gateInstant.map { Instant(microseconds: $0) } ?? HostClock.now() + .milliseconds(50)
        rampStartMicros = t0.microseconds
        let loopback = endpointBase.host.hasPrefix("127.") || endpointBase.host == "localhost"
        let originPrefix = origin.map { $0.url(of: "") }
        let registration = c.api.map { RegistrationPlan(api: $0, options: c.registration) }
        let settings = HostSettings(mqttOptions: c.mqtt, originPrefix: originPrefix, registration: registration)
        let sharedTelemetry = self.sharedTelemetry()
        for (r, shard) in shards.enumerated() {
            // Reactor r holds every R-th device of this slice (positions, not fleet indices).
            let indices = Array(stride(from: r, to: c.localDevices, by: shards.count))
            let base = endpointBase
            let ports = self.ports
            let runSecret = self.runSecret
            shard.reactor.post { reactor in
                let firmwareSettings = SharedFirmwareSettings()
                // Devices with the same endpoint (port, source address, certificates) share one object.
                var routes: [BrokerEndpoint: SharedEndpoint] = [:]
                let hosts = indices.map { local -> DeviceHost in
                    let i = c.slice.fleetIndex(ofLocal: local)
                    var ep = base
                    ep.port = ports[local % ports.count]
                    ep.bindAddress = c.bindAddress(local: local, loopbackBroker: loopback)
                    // A device waiting for a ramp-up step sleeps "forever" until `rampUp` wakes it.
                    let at = t0 + TimeSpan(microseconds: Int64((c.powerOnOffset(i) ?? FleetRunner.dormantSeconds) * 1_000_000))
                    var spec = c.deviceSpec(i)
                    if let shared = sharedTelemetry[spec.group], shared == spec.telemetry { spec.telemetry = shared }
                    if c.broker == .embedded {
                        spec.username = spec.id
                        spec.password = spec.password ?? FleetRunner.devicePassword(id: spec.id, secret: runSecret)
                    }
                    let shell = c.accessPoints?.shell(for: &spec, reactor: reactor)
                    spec.ota = fleetFirmware?.settings
                    if let tls = ep.tls, tls.isTemplate {
                        ep.tls = tls.resolved(n: i + 1, id: spec.id, chip: c.chip.idPrefix, mac: spec.macText)
                    }
                    let route = routes[ep] ?? SharedEndpoint(ep)
                    routes[ep] = route
                    let host = DeviceHost(spec: spec, route: route, powerOnAt: at, reactor: reactor,
                                          firmwareSettings: firmwareSettings)
                    host.settings = settings
                    host.proxied = c.proxiedDevices.contains(i)
                    if let shell { host.provide(shell) }
                    if let web = c.deviceHTTP?.shell(for: spec, reactor: reactor) { host.provide(web) }
                    host.chip = fleetFirmware?.chip(version: spec.firmwareVersion)
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
        s.requested = configuration.localDevices
        for shard in shards { s.add(shard.reactor.counters) }
        s.received = observer?.received.load(ordering: .relaxed) ?? 0
        s.telemetryReceived = observer?.telemetryReceived.load(ordering: .relaxed) ?? 0
        return s
    }

    /// Seconds since the ramp started.
    public var elapsedSeconds: Double { HostClock.monotonicSeconds() - startedMonotonic }

    /// Seconds the ramp takes to power every device on.
    public var rampSeconds: Double {
        configuration.shapes?.rampSeconds ?? Double(configuration.devices) / configuration.rampPerSecond
    }

    /// Power-on offset of devices that wait for a ramp-up step (ten years: never, in a run).
    static var dormantSeconds: Double { 10 * 365 * 86_400 }

    /// Ends `runToCompletion` early (Ctrl-C, a failed scenario step).
    public func requestStop() {
        stopFlag.store(true, ordering: .releasing)
        stopRequested.signal()
    }

    func startOrigin() throws {
        var dir = configuration.firmwareDirectory
        if dir == nil {
            let tmp = temporaryDirectory + "simfleet-firmware-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
            originTemporaryDirectory = tmp
            dir = tmp
        }
        let o = try FirmwareOrigin(directory: dir!)
        try o.start()
        origin = o
    }

    func syncOn<T>(_ reactor: Reactor, _ body: @escaping () -> T) -> T { reactor.sync(body) }

    func teardown() {
        guard !finished else { return }
        finished = true
        for shard in shards { shard.reactor.post { _ in shard.shutdown() } }
        observer?.stop()
        for shard in shards { shard.reactor.stopAndJoin() }
        observerReactor?.stopAndJoin()
        broker?.stop()
        origin?.stop()
        if let tmp = originTemporaryDirectory { try? FileManager.default.removeItem(atPath: tmp) }
    }
}

extension FleetRunner {
    /// The observer for this run's devices, with its table of their keys. Built in a function of its
    /// own so the fleet-sized key list is gone when it returns, before setup's heap is trimmed.
    func makeObserver(loop: Reactor, endpoint: BrokerEndpoint, username: String?, password: String?) -> Observer {
        let c = configuration
        let statusPattern = TopicPattern(c.topics.status)
        var fleetKeys: [String] = []
        fleetKeys.reserveCapacity(c.devices)  // no doubling: each outgrown buffer would stay behind as a heap hole
        for i in 0..<c.devices { if let key = statusPattern.key(of: c.deviceTopics(i).status) { fleetKeys.append(key) } }
        var telemetry = c.telemetryObservation()
        // A shard counts only its own devices: the others' heartbeats reach it too on a shared broker.
        let own = c.slice.count > 1 ? c.slice.fleetIndices(ofFleet: c.devices) : nil
        if let own { for tag in c.telemetry.indices { telemetry.restrict(tag: tag, to: c.telemetryKeys(tag: tag, devices: Array(own))) } }
        let obs = Observer(reactor: loop, endpoint: endpoint, username: username, password: password,
                           topics: c.topics, telemetry: telemetry, fleetKeys: fleetKeys)
        obs.version = c.mqtt.version
        if let own {
            obs.ownDevices = Set(own.compactMap { statusPattern.key(of: c.deviceTopics($0).status) })
            obs.clientID = "simfleet-observer-" + String(c.slice.index) + "-of-" + String(c.slice.count)
        }
        return obs
    }
}
