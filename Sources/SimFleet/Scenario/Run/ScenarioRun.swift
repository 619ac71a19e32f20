import DeviceCore
import Foundation

/// `simfleet run SCENARIO`: runs a validated scenario on the fleet runtime — configures fleet and
/// backend, starts the timeline and the optional `/metrics` endpoint, waits for the end, judges the
/// report and writes JSON and HTML. Setup problems throw; a run that started returns its verdict.
public enum ScenarioRun {
    public struct Options: Sendable {
        public var reportPath: String
        public var htmlPath: String
        public var metricsPort: Int?
        public var reactors: Int?
        /// Reactor timer tick in milliseconds; nil keeps `FleetConfiguration`'s default.
        public var timerTickMs: Int?
        /// Progress on stderr once a second (a terminal).
        public var progress: Bool
        /// `FleetOTAOptions.downloadDeadlineSeconds` and `stallTimeoutSeconds`; nil keeps the defaults.
        public var downloadDeadlineSeconds: Double?
        public var stallTimeoutSeconds: Double?

        public init(reportPath: String, htmlPath: String, metricsPort: Int? = nil, reactors: Int? = nil, timerTickMs: Int? = nil,
                    progress: Bool = false) {
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
        if let reactors = options.reactors { configuration.reactors = reactors }
        if let tick = options.timerTickMs { configuration.timerTickMs = tick }
        if let seconds = options.downloadDeadlineSeconds { configuration.ota.downloadDeadlineSeconds = seconds }
        if let seconds = options.stallTimeoutSeconds { configuration.ota.stallTimeoutSeconds = seconds }
        let plan = ScenarioPlan(scenario)
        let runner = FleetRunner(configuration: configuration)
        stopSignal { runner.requestStop() }

        let metrics = FleetMetrics()
        var server: MetricsServer?
        if let port = options.metricsPort {
            do {
                server = try MetricsServer(port: port) { metrics.exposition() }
            } catch {
                throw SetupError(description: String(describing: error))
            }
            FileHandle.standardError.write(Data(("simfleet: metrics at http://127.0.0.1:" + String(server!.port) + "/metrics\n").utf8))
        }
        defer { server?.stop() }

        do { try runner.start() } catch {
            throw SetupError(description: "cannot start the fleet: " + String(describing: error))
        }
        let driver = TimelineDriver(scenario: scenario, plan: plan, runner: runner)
        runner.beforeFinish = { driver.stop() }
        let progress = options.progress
        runner.onSample = { snapshot, elapsed in
            metrics.update(FleetMetrics.Totals(snapshot))
            if progress {
                let line = String(format: "\r[%5.0fs] connecting %d  online %d/%d  errors %d   ", elapsed, snapshot.connecting,
                                  snapshot.online, snapshot.requested, snapshot.errorTotal)
                FileHandle.standardError.write(Data(line.utf8))
            }
        }
        driver.start()
        var report = runner.runToCompletion()
        report.provisioning = driver.provisioning
        report.stormDisconnects = driver.disconnects
        report.phases = driver.phases
        if progress { FileHandle.standardError.write(Data("\n".utf8)) }

        let document: ReportDocument
        do {
            document = try ReportDocument(bytes: Array(report.json().utf8))
        } catch {
            throw SetupError(description: "the runtime wrote a report this engine cannot read: " + error.description)
        }
        let verdict = ScenarioVerdict(scenario: scenario, report: document,
                                      timelineFailures: driver.failures.map { ($0.expression, $0.measured) })
        report.expectations = verdict.results.map { ($0.expression, $0.passed, $0.measured) }
        let json = report.json()
        do {
            try json.write(toFile: options.reportPath, atomically: true, encoding: .utf8)
            let html = HTMLReport(report: try ReportDocument(bytes: Array(json.utf8))).render()
            try html.write(toFile: options.htmlPath, atomically: true, encoding: .utf8)
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
