import DeviceCore
import DeviceTestKit

/// One swarm run: a fleet in virtual time with anti-rollback, rollback, genuine and rogue images,
/// living through a seeded fault schedule while `SwarmInvariants` watches. Same seed, same run.
public struct SwarmRun {
    public struct Options: Sendable {
        public var devices: Int
        /// Simulated length of a run (the last two minutes are quiet).
        public var duration: TimeSpan
        /// A bug planted by a test; never set by `simfleet swarm`.
        var plantedBug: PlantedBug?

        public init(devices: Int = 50, duration: TimeSpan = .seconds(900)) {
            self.devices = max(1, devices)
            self.duration = max(duration, .seconds(180))
        }
    }

    /// What one seed did.
    public struct Result: Sendable {
        public var seed: UInt64
        public var schedule: SwarmSchedule
        public var violation: SwarmViolation?
        /// The run's trace (schedule events, boots, cuts, partitions, the violation), oldest first.
        public var trace: [String]
        /// What happened, for the summary line: updates committed, rollbacks, refusals, power cuts.
        public var committed = 0, rollbacks = 0, refusals = 0, powerCuts = 0
    }

    public let options: Options

    public init(options: Options) { self.options = options }

    /// Runs `seed` with its own random schedule.
    public func run(seed: UInt64) -> Result {
        run(seed: seed, schedule: SwarmSchedule.random(seed: seed, devices: options.devices, duration: options.duration))
    }

    /// Runs `seed` with `schedule` (a shrunk one replays the same way).
    public func run(seed: UInt64, schedule: SwarmSchedule) -> Result {
        var c = FleetConfiguration(devices: options.devices, heartbeatMs: 10_000, qos: 1, rampPerSecond: 50, seed: seed,
                                   durationSeconds: Double(options.duration.microseconds) / 1e6 - Double(options.devices) / 50)
        c.idTemplate = "swarm-{n:03}"
        c.firmwareVersion = SwarmRelease.factory
        c.ota.imagePayloadBytes = 24 * 1024
        c.ota.releases = SwarmRelease.genuine.keys.sorted().filter { $0 != SwarmRelease.factory }
        c.ota.manifestRelease = nil
        c.ota.antiRollback = true
        c.ota.secureVersions = SwarmRelease.genuine
        c.ota.brokenReleases = [SwarmRelease.broken]
        c.ota.confirmWithinSeconds = 30
        var fleetOptions = VirtualFleet.Options(threads: 1)
        fleetOptions.plantedBug = options.plantedBug
        let fleet: VirtualFleet
        do { fleet = try VirtualFleet(configuration: c, options: fleetOptions) } catch {
            preconditionFailure("the swarm's own fleet is valid: \(error)")
        }
        var genuine: [String: [UInt8]] = [:]
        for version in SwarmRelease.genuine.keys { genuine[version] = (try? fleet.firmware?.image(version).bytes) ?? [] }
        for rogue in SwarmRelease.rogues {
            fleet.serve(SwarmRelease.rogueFile(rogue), AppImageBuilder.simple(
                chip: rogue.chip, version: rogue.version, secureVersion: rogue.secureVersion, projectName: "simfleet",
                payload: [UInt8](repeating: 0x5A, count: 8192), hasher: OpenSSLSHA256.self))
        }
        let invariants = SwarmInvariants(genuine: genuine, start: fleet.start)
        let partition = fleet.partitions[0]
        partition.monitor = invariants
        partition.simulation.traceLimit = 100_000
        var originRules: [FirmwareServer.FaultRule] = []
        for event in schedule.events {
            fleet.at(fleet.start + event.at) {
                partition.simulation.note("SWARM " + event.description)
                apply(event, to: fleet, invariants: invariants, originRules: &originRules)
            }
        }
        fleet.begin()
        while fleet.now < fleet.end && invariants.violation == nil {
            fleet.advance(to: min(fleet.end, fleet.now + .seconds(10)))
        }
        if invariants.violation == nil { invariants.finish(fleet) }
        let report = fleet.finish()
        var result = Result(seed: seed, schedule: schedule, violation: invariants.violation,
                            trace: partition.simulation.trace.map(\.description))
        result.committed = report.otaOutcomes?.committed ?? 0
        result.rollbacks = report.rollbacks
        result.refusals = report.otaOutcomes?.refused ?? 0
        result.powerCuts = report.powerCutsDuringFlash
        return result
    }

    private func apply(_ event: SwarmEvent, to fleet: VirtualFleet, invariants: SwarmInvariants,
                       originRules: inout [FirmwareServer.FaultRule]) {
        let ids = Set(event.devices.map(fleet.deviceID))
        switch event.kind {
        case .rollout(let version, let viaManifest):
            for d in event.devices { invariants.offered[d] = nil }
            guard let image = try? fleet.firmware?.image(version), let url = try? fleet.publishRelease(version, manifest: viaManifest) else {
                return
            }
            if viaManifest {
                fleet.sendCommand(devices: event.devices, payload: Array(#"{"action":"check"}"#.utf8))
            } else {
                let command = JSONValue.object([
                    JSONMember("version", .string(version)), JSONMember("url", .string(url)),
                    JSONMember("sha256", .string(hexString(image.digest))), JSONMember("size", .int(Int64(image.bytes.count))),
                ])
                fleet.sendCommand(devices: event.devices, payload: command.encodedBytes())
            }
        case .rogue(let rogue):
            for d in event.devices { invariants.offered[d] = rogue.version }
            let command = #"{"version":""# + rogue.version + #"","url":""# + fleet.originURL(SwarmRelease.rogueFile(rogue)) + #""}"#
            fleet.sendCommand(devices: event.devices, payload: Array(command.utf8))
        case .powerCycle(let off):
            fleet.powerCycle(devices: event.devices, offFor: off)
        case .tornCut(let n, let numerator, let denominator, let off):
            fleet.forEach(event.devices) { p, slot in
                p.hosts[slot].tornCut = TornCut(atOperation: n, numerator: numerator, denominator: denominator, off: off)
            }
        case .partition(let duration):
            fleet.forEach(event.devices) { p, slot in p.partition(slot, for: duration) }
        case .corruptDownloads(let version):
            originRules.append(.init(.corrupt(at: nil), path: FirmwareCatalog.fileName(version), clients: ids, once: true))
            fleet.setOriginFaults(originRules)
        case .truncateDownloads(let version, let fraction):
            originRules.append(.init(.truncate(fraction: fraction), path: FirmwareCatalog.fileName(version), clients: ids, once: false))
            fleet.setOriginFaults(originRules)
        case .dropDownloads(let version, let fraction):
            originRules.append(.init(.drop(fraction: fraction), path: FirmwareCatalog.fileName(version), clients: ids, once: true))
            fleet.setOriginFaults(originRules)
        case .brokerRestart(let down):
            fleet.restartBroker(down: down)
        case .reboot:
            fleet.forEach(event.devices) { p, slot in
                guard p.hosts[slot].isPoweredOn else { return }
                p.deliver(slot, .httpRequest(id: 0x7000_0001, HTTPRequest(method: .post, path: "/reboot", headers: [], body: [])))
            }
        case .clearFaults:
            originRules = []
            fleet.setOriginFaults(originRules)
        }
    }
}
