import DeviceCore
import DeviceTestKit
import Dispatch
import Foundation
import Glibc
import Synchronization

/// A fleet in virtual time: the same devices (`FleetDevice`, the same chip model, the same specs
/// and seeds) as `FleetRunner`, with no sockets — a scripted broker and firmware origin stand in
/// for Mosquitto and the embedded origin, and time jumps from one deadline to the next instead of
/// passing. Devices are split over partitions that run on their own threads between epoch
/// boundaries (samples, timeline steps, the end), where the fleet stops them together; the report
/// has `FleetRunner`'s schema. Same configuration and seed, same run, on any number of threads.
public final class VirtualFleet: @unchecked Sendable {
    /// How the virtual run is carried out (not what it simulates).
    public struct Options: Sendable {
        /// Partitions run side by side on this many threads.
        public var threads: Int
        /// One-way latency between a device and the broker or origin.
        public var oneWayLatency: TimeSpan
        /// Seconds between time-series samples (nil: one per second up to ten minutes of
        /// simulated time, then coarser, so a report keeps at most about 600 points).
        public var sampleSeconds: Int?
        /// A bug planted by a test (the swarm must find it); never set by the commands.
        var plantedBug: PlantedBug?

        public init(threads: Int = 1, oneWayLatency: TimeSpan = .milliseconds(1), sampleSeconds: Int? = nil) {
            self.threads = max(1, threads)
            self.oneWayLatency = oneWayLatency
            self.sampleSeconds = sampleSeconds
        }
    }

    public let configuration: FleetConfiguration
    public let options: Options
    let partitions: [VirtualPartition]
    /// The fleet's firmware images; nil without flash modelling.
    public private(set) var firmware: FirmwareCatalog?
    /// Virtual time at which the ramp starts.
    public let start: Instant
    public private(set) var now: Instant
    /// Commands published to devices' OTA topics so far.
    public private(set) var commandsSent = 0
    /// Timed fleet-wide events (the broker coming back, faults ending), run at epoch boundaries.
    var fleetEvents = TimerQueue<() -> Void>()
    private let stopFlag = Atomic<Bool>(false)
    var timeseriesSoFar = Timeseries()
    private var clock: RunClock?
    private var timeline: VirtualTimeline?
    /// Files every partition's origin serves (the same bytes, shared).
    private(set) var originFiles: [String: [UInt8]] = [:]
    private var originFaults: [FirmwareServer.FaultRule] = []

    /// Builds every device (powered off until the ramp reaches it) and the scripted backend.
    public init(configuration: FleetConfiguration, options: Options = Options(), start: Instant = Simulation.epoch) throws(FleetError) {
        let c = configuration
        // The plan checked the settings (`ScenarioFleet.configuration`) and what virtual time
        // carries (`VirtualTimeSupport`, which refuses QoS 2 naming its line).
        precondition(c.devices >= 0 && (c.qos == 0 || c.qos == 1) && c.heartbeatMs > 0 && c.rampPerSecond > 0,
                     "a FleetConfiguration with devices < 0, a qos other than 0 or 1, or a heartbeat or ramp not positive")
        self.configuration = configuration
        self.options = options
        self.start = start
        self.now = start
        let count = max(1, min(options.threads, max(1, c.devices)))
        partitions = (0..<count).map {
            VirtualPartition(index: $0, stride: count, start: start, oneWay: options.oneWayLatency, seed: c.seed)
        }
        let setup: (settings: DeviceOTASettings, templates: [String: DeviceChip])?
        do { setup = try prepareFirmware() } catch { throw .invalid("firmware: \(error)") }
        for p in partitions {
            p.plantedBug = options.plantedBug
            for (path, bytes) in originFiles { p.origin.put(path, bytes) }
        }
        let settings = SharedFirmwareSettings()
        for i in 0..<c.devices {
            var spec = c.deviceSpec(i)
            spec.ota = setup?.settings
            let offset = c.powerOnOffset(i) ?? FleetRunner.dormantSeconds
            var host = VirtualHost(spec: spec, powerOnAt: start + TimeSpan(microseconds: Int64(offset * 1_000_000)),
                                   settings: settings)
            host.chip = setup?.templates[spec.firmwareVersion]
            let p = partitions[i % count]
            p.hosts.append(host)
            p.reschedule(p.hosts.count - 1)
        }
    }

    /// The OTA settings and factory chips of the fleet (`FleetRunner.prepareFirmware` for a run
    /// without files): releases and `manifest.json` go to the scripted origin.
    private func prepareFirmware() throws -> (settings: DeviceOTASettings, templates: [String: DeviceChip])? {
        let c = configuration
        let o = c.ota
        guard o.modelFlash else { return nil }
        let catalog = try FirmwareCatalog(chip: c.chip, payloadBytes: o.imagePayloadBytes, signingKeyPath: o.signingKeyPath,
                                          secureVersions: o.secureVersions, appVersions: o.appVersions)
        firmware = catalog
        for version in o.releases { originFiles[FirmwareCatalog.fileName(version)] = try catalog.image(version).bytes }
        if let release = o.manifestRelease ?? o.releases.last { publishManifest(release) }
        var settings = o.deviceSettings(manifestURL: o.manifestURL ?? partitions[0].origin.url(of: "manifest.json"))
        settings.antiRollback = o.antiRollback
        var ota = OTAConfig(chip: c.chip)
        ota.antiRollbackEnabled = o.antiRollback
        let efuses = catalog.trustedKeyDigest.map { EFuses(keyDigests: [$0], secureBootEnabled: true) } ?? EFuses()
        var templates: [String: DeviceChip] = [:]
        for version in Set([c.firmwareVersion] + (c.shapes?.groups.map(\.firmwareVersion) ?? [])) {
            templates[version] = DeviceChip(chip: c.chip, factoryImage: try catalog.image(version), efuses: efuses,
                                            brokenReleases: o.brokenReleases, ota: ota)
        }
        return (settings, templates)
    }

    // MARK: - Running

    /// Seconds the ramp takes to power every device on.
    public var rampSeconds: Double {
        configuration.shapes?.rampSeconds ?? Double(configuration.devices) / configuration.rampPerSecond
    }

    /// The virtual instant the run ends: ramp plus duration after `start`.
    public var end: Instant { start + TimeSpan(microseconds: Int64((rampSeconds + configuration.durationSeconds) * 1_000_000)) }

    /// Seconds of virtual time since the ramp started.
    public var elapsedSeconds: Double { Double((now - start).microseconds) / 1e6 }

    /// Ends `run` at the next epoch boundary (Ctrl-C, a failed step).
    public func requestStop() { stopFlag.store(true, ordering: .relaxed) }

    var isStopRequested: Bool { stopFlag.load(ordering: .relaxed) }

    /// Called at every sample with the live totals and the virtual seconds elapsed.
    public var onSample: ((FleetSnapshot, Double) -> Void)?

    /// Runs to the end (or `requestStop`), with `timeline` acting at its instants, and reports.
    public func run(timeline: VirtualTimeline? = nil) -> FleetReport {
        begin(timeline: timeline)
        advance(to: end)
        return finish()
    }

    /// Starts the clock: the timeline runs its first steps. Then `advance` moves time on, and
    /// `finish` reports. (`run` does all three; tests step through a run this way.)
    public func begin(timeline: VirtualTimeline? = nil) {
        precondition(clock == nil, "a virtual fleet runs once")
        clock = RunClock(wallStart: HostClock.monotonicSeconds(), cpuStart: FleetRunner.processCPUSeconds(), startedAt: Date(),
                         nextSample: start + sampleInterval)
        self.timeline = timeline
        timeline?.begin(self)
    }

    /// Moves virtual time to `instant` (at most the end of the run), stopping at every sample and
    /// timeline instant on the way.
    public func advance(to instant: Instant) {
        guard var c = clock else { preconditionFailure("begin() first") }
        let finish = min(instant, end)
        let interval = sampleInterval
        while now < finish && !isStopRequested {
            var target = min(finish, c.nextSample)
            if let wake = timeline?.wake { target = min(target, max(wake, now)) }
            if let event = fleetEvents.nextInstant { target = min(target, max(event, now)) }
            advancePartitions(to: target)
            now = target
            while let (_, event) = fleetEvents.popDue(at: now) { event() }
            if now >= c.nextSample {
                let s = snapshot()
                timeseriesSoFar.append(t: Int((now - start).microseconds / 1_000_000), snapshot: s,
                                       messagesPerSecond: (s.received - c.lastReceived) / Int(interval.microseconds / 1_000_000),
                                       versions: versionCounts())
                c.lastReceived = s.received
                onSample?(s, elapsedSeconds)
                c.nextSample = c.nextSample + interval
            }
            timeline?.advance(self)
        }
        clock = c
    }

    /// Advances in steps of `check` until `condition` holds, for at most `limit` of virtual time
    /// (a test's wait for something to happen, without a wall clock). True when it held.
    @discardableResult
    public func advance(until condition: () -> Bool, limit: TimeSpan, check: TimeSpan = .milliseconds(100)) -> Bool {
        let deadline = now + limit
        while !condition() {
            guard now < deadline, now < end, !isStopRequested else { return condition() }
            advance(to: min(deadline, now + check))
        }
        return true
    }

    /// Ends the run where it is: the timeline records what never ran, and the report is built.
    public func finish() -> FleetReport {
        guard let c = clock else { preconditionFailure("begin() first") }
        timeline?.finish(self)
        let wall = HostClock.monotonicSeconds() - c.wallStart
        return report(startedAt: c.startedAt, wallSeconds: wall, cpuSeconds: FleetRunner.processCPUSeconds() - c.cpuStart)
    }

    /// Where a run is: wall-clock marks for the report and the next sample.
    private struct RunClock {
        let wallStart: Double
        let cpuStart: Double
        let startedAt: Date
        var nextSample: Instant
        var lastReceived = 0
    }

    /// Runs every partition up to `instant`, side by side.
    func advancePartitions(to instant: Instant) {
        if partitions.count == 1 {
            partitions[0].run(until: instant)
        } else {
            let parts = partitions
            DispatchQueue.concurrentPerform(iterations: parts.count) { parts[$0].run(until: instant) }
        }
    }

    var sampleInterval: TimeSpan {
        if let s = options.sampleSeconds { return .seconds(Int64(max(1, s))) }
        let total = Int64(rampSeconds + configuration.durationSeconds)
        return .seconds(max(1, (total + 599) / 600))
    }

    /// Runs `body` at `at` (an epoch boundary), after the partitions have reached it.
    func at(_ at: Instant, _ body: @escaping () -> Void) { fleetEvents.push(body, at: max(at, now)) }

    // MARK: - Devices

    /// The partition and slot of fleet index `index`.
    func locate(_ index: Int) -> (VirtualPartition, Int)? {
        guard index >= 0, index < configuration.devices else { return nil }
        let p = partitions[index % partitions.count]
        let slot = index / partitions.count
        return slot < p.hosts.count ? (p, slot) : nil
    }

    func forEach(_ devices: [Int], _ body: (VirtualPartition, Int) -> Void) {
        for i in devices { if let (p, slot) = locate(i) { body(p, slot) } }
    }

    /// Live totals across partitions.
    public func snapshot() -> FleetSnapshot {
        var s = FleetSnapshot()
        s.requested = configuration.devices
        for p in partitions {
            s.add(p.counters)
            s.received += p.received
        }
        return s
    }

    func versionCounts() -> [String: Int] {
        var out: [String: Int] = [:]
        for p in partitions { for (k, n) in p.versionCounts() { out[k, default: 0] += n } }
        return out
    }

    /// The firmware version each device runs now.
    public func runningVersions(devices: [Int]) -> [Int: String] {
        var out: [Int: String] = [:]
        for i in devices { if let (p, slot) = locate(i) { out[i] = p.hosts[slot].runningVersion } }
        return out
    }

    /// Reads something from one device's firmware state.
    public func inspectDevice<T>(_ index: Int, _ body: (FleetDevice) -> T) -> T? {
        locate(index).map { body($0.0.hosts[$0.1].firmware) }
    }

    /// Device ids by fleet index (same seed, same ids).
    public func deviceID(_ index: Int) -> String { configuration.deviceSpec(index).id }

    // MARK: - Backend

    func publishManifest(_ version: String) {
        let url = partitions[0].origin.url(of: FirmwareCatalog.fileName(version))
        originFiles["manifest.json"] = Manifest(version: version, firmwareURL: url).bytes
        for p in partitions { p.origin.put("manifest.json", originFiles["manifest.json"]!) }
    }

    /// Serves `bytes` at `path` from the scripted origin (every partition's view).
    func serve(_ path: String, _ bytes: [UInt8]) {
        originFiles[path] = bytes
        for p in partitions { p.origin.put(path, bytes) }
    }

    /// The URL devices fetch `path` from.
    func originURL(_ path: String) -> String { partitions[0].origin.url(of: path) }

    func setOriginFaults(_ rules: [FirmwareServer.FaultRule]) {
        originFaults = rules
        for p in partitions { p.origin.faults = rules }
    }

    var currentOriginFaults: [FirmwareServer.FaultRule] { originFaults }

    /// What the origin served and spoiled, summed, in the embedded origin's terms.
    func originStats() -> OriginStats {
        var o = OriginStats()
        for p in partitions {
            let s = p.origin.stats
            o.requests += s.requests
            o.fullResponses += s.fullResponses
            o.rangeResponses += s.rangeResponses
            o.notFound += s.notFound
            o.rangeNotSatisfiable += s.rangeNotSatisfiable
            o.bytesServed += s.bytesServed
            o.corrupted += s.corrupted
            o.truncated += s.truncated
            o.dropped += s.dropped
        }
        return o
    }

    func noteCommands(_ n: Int) { commandsSent += n }
}
