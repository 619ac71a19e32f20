import DeviceCore
import Dispatch
import Foundation

/// `simfleet run SCENARIO`: runs a validated scenario on the fleet runtime — configures fleet and
/// backend, starts the timeline and the optional `/metrics` endpoint, waits for the end, judges the
/// report and writes JSON and HTML. Setup problems throw; a run that started returns its verdict.
public enum ScenarioRun {
    public struct Options: Sendable {
        public var reportPath: String
        public var htmlPath: String
        public var metricsPort: Int?
        /// Keep `/metrics` up this long after the run, with the final figures (a scraper's last
        /// look; SIGINT/SIGTERM ends it early).
        public var metricsLingerSeconds = 0.0
        public var reactors: Int?
        /// Reactor timer tick in milliseconds; nil keeps `FleetConfiguration`'s default.
        public var timerTickMs: Int?
        /// Progress on stderr once a second (a terminal).
        public var progress: Bool
        /// Write the JSON report to `reportPath` and the HTML report to `htmlPath` (a flags-only run
        /// writes only what was asked for).
        public var writeJSON = true
        public var writeHTML = true
        /// Adjusts the runtime configuration after the scenario made it (flags-only runs: their
        /// firmware directory, releases, signing key, access-point pool; no scenario name).
        public var configure: (@Sendable (inout FleetConfiguration) throws -> Void)?
        /// Run one shard of the scenario (`--shard I/N`); nil runs all of it.
        public var shard: ShardOptions?
        /// Local addresses the devices bind, in turn (`--source-ip`).
        public var sourceAddresses: [String] = []
        /// `FleetOTAOptions.downloadDeadlineSeconds` and `stallTimeoutSeconds`; nil keeps the defaults.
        public var downloadDeadlineSeconds: Double?
        public var stallTimeoutSeconds: Double?

        public init(reportPath: String, htmlPath: String, metricsPort: Int? = nil, reactors: Int? = nil, timerTickMs: Int? = nil,
                    progress: Bool = false, shard: ShardOptions? = nil, sourceAddresses: [String] = []) {
            self.shard = shard
            self.sourceAddresses = sourceAddresses
            self.timerTickMs = timerTickMs
            self.reportPath = reportPath
            self.htmlPath = htmlPath
            self.metricsPort = metricsPort
            self.reactors = reactors
            self.progress = progress
        }
    }

    public struct Outcome: Sendable {
        public var report: FleetReport
        public var verdict: ScenarioVerdict
    }

    /// A problem before the run started (exit 2).
    public struct SetupError: Error, CustomStringConvertible {
        public var description: String
    }

    /// A run whose access-point block came from the seed moves off it when another process on this
    /// machine already serves the portal address of this run's first unprovisioned device, and says so.
    static func moveAccessPointsOffATakenBlock(_ c: inout FleetConfiguration) {
        guard let exposure = c.accessPoints, exposure.blockFromSeed else { return }
        let slice = c.slice
        guard let probe = (0..<c.localDevices).lazy.map({ slice.fleetIndex(ofLocal: $0) })
            .first(where: { !c.deviceSpec($0).provisioned }) else { return }
        let (free, moved) = exposure.onAFreeBlock(probing: probe)
        guard moved else { return }
        c.accessPoints = free
        StandardStream.error.write("simfleet: access points: 127." + String(exposure.block) + ".0.0/16 is in use on this "
                                    + "machine (another run?); this run's portals use 127." + String(free.block) + ".0.0/16\n")
    }

    static func setup(_ scenario: Scenario) throws(SetupError) -> FleetConfiguration {
        do {
            return try ScenarioFleet.configuration(scenario)
        } catch {
            throw SetupError(description: error.description)
        }
    }

    public static func execute(_ scenario: Scenario, options: Options,
                               stopSignal: (@escaping @Sendable () -> Void) -> Void = { _ in }) throws -> Outcome {
        var configuration = try setup(scenario)
        if let configure = options.configure {
            do { try configure(&configuration) } catch { throw SetupError(description: String(describing: error)) }
        }
        if let reactors = options.reactors { configuration.reactors = reactors }
        if let tick = options.timerTickMs { configuration.timerTickMs = tick }
        if let seconds = options.downloadDeadlineSeconds { configuration.ota.downloadDeadlineSeconds = seconds }
        if let seconds = options.stallTimeoutSeconds { configuration.ota.stallTimeoutSeconds = seconds }
        configuration.sourceAddresses = options.sourceAddresses
        var rendezvous: ShardRendezvous?
        if let shard = options.shard {
            if let first = ShardSupport.unsupported(scenario, shard).first { throw SetupError(description: first.description) }
            ShardSupport.configure(&configuration, scenario, shard)
            rendezvous = shard.syncDirectory.map {
                ShardRendezvous(directory: $0, slice: shard.slice, fingerprint: ScenarioFingerprint.of(scenario))
            }
        }
        moveAccessPointsOffATakenBlock(&configuration)
        let plan = ScenarioPlan(scenario)
        let runner = FleetRunner(configuration: configuration)
        let lingerEnd = DispatchSemaphore(value: 0)
        if let shard = options.shard {
            runner.startGate = ShardSupport.gate(shard, rendezvous: rendezvous, runner: runner) { StandardStream.error.write($0 + "\n") }
        }
        stopSignal {
            runner.requestStop()
            lingerEnd.signal()
        }

        let metrics = FleetMetrics()
        if options.metricsPort != nil { runner.liveMetrics = metrics }
        var server: MetricsServer?
        if let port = options.metricsPort {
            do {
                server = try MetricsServer(port: port) { metrics.exposition() }
            } catch {
                throw SetupError(description: String(describing: error))
            }
            StandardStream.error.write("simfleet: metrics at http://127.0.0.1:" + String(server!.port) + "/metrics\n")
        }
        defer { server?.stop() }

        do { try runner.start() } catch {
            throw SetupError(description: "cannot start the fleet: " + String(describing: error))
        }
        let budget = runner.budget
        StandardStream.error.write("simfleet: " + String(configuration.localDevices) + " devices on " + runner.brokerURL
                                    + ", " + String(configuration.reactors) + " reactors; open-file limit "
                                    + String(budget.softLimit) + " allows " + String(budget.deviceCeiling) + " devices\n")
        let driver = TimelineDriver(scenario: scenario, plan: plan, runner: runner)
        driver.rendezvous = rendezvous
        runner.beforeFinish = { driver.stop() }
        let progress = options.progress
        runner.onSample = { snapshot, elapsed in
            if progress {
                let line = String(printf: "\r[%5.0fs] connecting %d  online %d/%d  errors %d   ", elapsed, snapshot.connecting,
                                  snapshot.online, snapshot.requested, snapshot.errorTotal)
                StandardStream.error.write(line)
            }
        }
        driver.start()
        var report = runner.runToCompletion()
        report.provisioning = driver.provisioning
        report.stormDisconnects = driver.disconnects
        report.phases = driver.phases
        if let shard = options.shard {
            report.shard = ShardSection(slice: shard.slice, fingerprint: ScenarioFingerprint.of(scenario),
                                        fleetDevices: scenario.deviceCount, startUnixMs: Double(runner.startedWallMicros) / 1000,
                                        expectations: scenario.expectations.map(\.text),
                                        timelineFailures: driver.failures.map { ($0.expression, $0.measured) }, startedBy: shard.startedBy)
        }
        report.faults = runner.faultImpacts(driver.faultWindows)
        if progress { StandardStream.error.write("\n") }
        // A shard's expectations are judged on the merged report (`simfleet merge`), not on its slice.
        var judged = scenario
        if options.shard != nil { judged.expectations = [] }
        let outcome = try conclude(report, judged: judged, timelineFailures: driver.failures, options: options)
        if let server, options.metricsLingerSeconds > 0 {
            StandardStream.error.write("simfleet: the final figures stay at http://127.0.0.1:" + String(server.port)
                                        + "/metrics for " + String(printf: "%.0f", options.metricsLingerSeconds)
                                        + " s (Ctrl-C ends it)\n")
            _ = lingerEnd.wait(timeout: .now() + options.metricsLingerSeconds)
        }
        return outcome
    }

    /// Judges a finished run's report against the scenario and writes JSON and HTML (socket and
    /// virtual-time runs alike).
    static func conclude(_ report: FleetReport, judged: Scenario, timelineFailures: [TimelineDriver.Failure],
                         options: Options) throws(SetupError) -> Outcome {
        var report = report
        let document: ReportDocument
        do {
            document = try ReportDocument(bytes: Array(report.json().utf8))
        } catch {
            throw SetupError(description: "the runtime wrote a report this engine cannot read: " + error.description)
        }
        let verdict = ScenarioVerdict(scenario: judged, report: document,
                                      timelineFailures: timelineFailures.map { ($0.expression, $0.measured) })
        report.expectations = verdict.results.map { ($0.expression, $0.passed, $0.measured) }
        let json = report.json()
        do {
            if options.writeJSON { try json.write(toFile: options.reportPath, atomically: true, encoding: .utf8) }
            if options.writeHTML {
                let html = HTMLReport(report: try ReportDocument(bytes: Array(json.utf8))).render()
                try html.write(toFile: options.htmlPath, atomically: true, encoding: .utf8)
            }
        } catch {
            throw SetupError(description: "cannot write the report: " + String(describing: error))
        }
        return Outcome(report: report, verdict: verdict)
    }
}

extension FleetMetrics.Totals {
    /// The live totals a runtime snapshot has (loss and OTA outcomes are only known at the end).
    public init(_ s: FleetSnapshot) {
        self.init()
        requested = s.requested
        connected = s.everConnected
        online = s.online
        sent = s.sent
        received = s.received
        reconnects = s.reconnects
        errors = s.errors
    }
}
