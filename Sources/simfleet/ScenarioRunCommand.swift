import ArgumentParser
import DeviceCore
import Foundation
import SimFleet

/// `simfleet run [SCENARIO.yaml]`: validates the file (or makes the one-group scenario a flags-only
/// run describes), applies the flags, runs it and exits 0 when every expectation held, 1 naming each
/// failed one with its measured value, 2 for an invalid scenario or flag, a step the runtime cannot
/// do yet, or a run that could not be set up.
struct ScenarioRunCommand {
    /// nil: a flags-only run.
    let file: String?
    let flags: RunCommand

    func fail(_ message: String) -> ExitCode {
        StandardStream.error.write(message + "\n")
        return ExitCode(2)
    }

    func run() throws {
        if flags.virtualTime, let flag = flags.socketOnlyFlags.first {
            throw fail("simfleet run: " + flag + " does not apply with --virtual-time (no sockets)")
        }
        let scenario: Scenario
        if let file {
            let loaded: Scenario
            do {
                loaded = try ScenarioLoader.load(path: file)
            } catch {
                throw fail(error.description)
            }
            scenario = try overrides().apply(to: loaded)
        } else {
            scenario = try flagsScenario()
        }
        let flagsOnly = file == nil
        let configure = flagsOnly ? try flagsConfiguration() : nil
        if flags.printAddresses {
            do {
                var c = try ScenarioFleet.configuration(scenario)
                try configure?(&c)
                return try DeviceAddressList.print(c)
            } catch let e as ScenarioError { throw fail(e.description) }
        }
        let reportPath = flags.report ?? scenario.name + "-report.json"
        let htmlPath = flags.html ?? (reportPath.hasSuffix(".json") ? String(reportPath.dropLast(5)) : reportPath) + ".html"
        var reactors: Int?
        if let text = flags.reactors {
            guard let r = Int(text), (1...64).contains(r) else { throw fail("simfleet run: --reactors wants 1…64, got '" + text + "'") }
            reactors = r
        }
        var timerTickMs: Int?
        if let text = flags.timerTick {
            guard let ms = RunCommand.timerTickMs(text) else { throw fail("simfleet run: --timer-tick wants 1ms…100ms, got '" + text + "'") }
            timerTickMs = ms
        }
        var metricsPort: Int?
        if let text = flags.metricsPort {
            guard let p = Int(text), (0...65535).contains(p) else { throw fail("simfleet run: --metrics-port wants 0…65535, got '" + text + "'") }
            metricsPort = p
        }
        let shard = try shardOptions()
        guard let sourceAddresses = RunCommand.sourceAddresses(flags.sourceIPs) else {
            throw fail("simfleet run: --source-ip wants IPv4 or IPv6 addresses, got '" + flags.sourceIPs.joined(separator: ",") + "'")
        }
        var options = ScenarioRun.Options(reportPath: reportPath, htmlPath: htmlPath, metricsPort: metricsPort, reactors: reactors,
                                          timerTickMs: timerTickMs, progress: isatty(2) != 0, shard: shard,
                                          sourceAddresses: sourceAddresses)
        if let text = flags.metricsLinger {
            let wants = "a time up to 1h, with --metrics-port"
            guard metricsPort != nil else { throw fail("simfleet run: --metrics-linger wants " + wants + ", got '" + text + "'") }
            let v = try duration(text, flag: "--metrics-linger", within: .zero ... .seconds(3600), wants: wants)
            options.metricsLingerSeconds = Double(v.microseconds) / 1e6
        }
        do {
            let limits = try flags.downloadLimits()
            options.downloadDeadlineSeconds = limits.deadline
            options.stallTimeoutSeconds = limits.stall
        } catch { throw fail("simfleet run: " + error.message) }
        if flagsOnly {
            options.writeJSON = flags.report != nil
            options.writeHTML = flags.html != nil
            options.configure = configure
            StandardStream.error.write("simfleet: " + String(scenario.deviceCount) + " devices for "
                                        + String(printf: "%.1f s", Double(scenario.duration.microseconds) / 1e6)
                                        + " (ramp included), seed " + String(scenario.seed) + "\n")
        } else {
            StandardStream.error.write("simfleet: scenario " + scenario.name + ": " + String(scenario.deviceCount)
                                        + " devices, " + String(scenario.timeline.count) + " steps, seed "
                                        + String(scenario.seed) + "\n")
        }
        var trap: SignalTrap?
        let outcome: ScenarioRun.Outcome
        do {
            if flags.virtualTime {
                outcome = try ScenarioRun.executeVirtual(scenario, options: options,
                                                         threads: RunCommand.virtualThreads(reactors, devices: scenario.deviceCount),
                                                         stopSignal: { stop in trap = SignalTrap(stop) })
            } else {
                outcome = try ScenarioRun.execute(scenario, options: options, stopSignal: { stop in trap = SignalTrap(stop) })
            }
        } catch {
            trap?.release()
            throw fail("simfleet run: " + String(describing: error))
        }
        trap?.release()
        print(outcome.report.summary())
        if let v = outcome.report.virtualTime {
            print(String(printf: "  virtual    %.0f simulated s in %.2f wall s: %.0f× real time, %.0f status publishes per wall second",
                         v.simulatedSeconds, v.wallSeconds, v.simulatedPerWallSecond, v.heartbeatsPerWallSecond))
        }
        if let shard {
            // A shard's verdict is the merged run's: `simfleet merge` judges the expectations.
            for line in outcome.verdict.lines() { print(line) }
            print("shard " + shard.slice.description + ": wrote " + reportPath + " and " + htmlPath
                  + "; judge the run with: simfleet merge <every shard's report> -o run.json")
            return
        }
        if !scenario.expectations.isEmpty || !outcome.verdict.results.isEmpty {
            print("expectations:")
            for line in outcome.verdict.lines() { print(line) }
        }
        let written = [options.writeJSON ? reportPath : nil, options.writeHTML ? htmlPath : nil].compactMap { $0 }
        if !written.isEmpty { print("wrote " + written.joined(separator: " and ")) }
        guard outcome.verdict.passed else {
            for failed in outcome.verdict.failed {
                StandardStream.error.write("simfleet run: expectation failed: " + failed.expression
                                            + " (measured " + failed.measured + ")\n")
            }
            throw ExitCode(1)
        }
    }

    /// The one-group scenario of a flags-only run, with the flags every run takes applied.
    func flagsScenario() throws -> Scenario {
        let fleet: FleetFlags
        do { fleet = try flags.fleetFlags() } catch { throw fail("simfleet run: " + error.message) }
        // The broker, TLS, MQTT version, topics, telemetry, device HTTP and backend HTTP flags are
        // the scenario run's; only the fleet's shape comes from `fleetFlags`.
        var scenario = try overrides(fleetFlagsApply: false).apply(to: Scenario.oneGroup(fleet))
        // With the embedded broker, device credentials become its password file.
        if case .embedded(var embedded) = scenario.backend, flags.username != nil || flags.password != nil {
            embedded.username = flags.username
            embedded.password = flags.password
            scenario.backend = .embedded(embedded)
            if flags.username != nil { scenario.sourceMap.set("backend.username", to: .flag("--username")) }
            if flags.password != nil { scenario.sourceMap.set("backend.password", to: .flag("--password")) }
        }
        return scenario
    }

    /// What a flags-only run sets beyond the scenario language: no scenario name in the report, the
    /// origin's directory and releases, the signing key and the access points' address pool.
    func flagsConfiguration() throws -> @Sendable (inout FleetConfiguration) throws -> Void {
        var chosen: LoopbackAddressPool?
        if flags.unprovisioned {
            guard let p = LoopbackAddressPool(cidr: flags.apPool) else {
                throw fail("simfleet run: --ap-pool wants 127.X.0.0/16 with X > 0, got '" + flags.apPool + "'")
            }
            chosen = p
        }
        let pool = chosen
        let dir = flags.firmwareDir, releases = flags.releases, key = flags.signingKey
        return { c in
            c.scenarioName = nil
            c.firmwareDirectory = dir
            c.ota.releases += releases
            if !releases.isEmpty { c.ota.manifestRelease = releases.last }
            c.ota.signingKeyPath = key
            if let pool {
                c.accessPoints = AccessPointExposure(pool: pool, log: { line in StandardStream.error.write(line + "\n") })
            }
        }
    }

    /// `--shard I/N` with `--sync-dir` or `--start-at`; nil for an unsharded run.
    func shardOptions() throws -> ShardOptions? {
        guard let text = flags.shard else {
            if flags.syncDir != nil || flags.startAt != nil { throw fail("simfleet run: --sync-dir and --start-at go with --shard I/N") }
            return nil
        }
        guard let slice = FleetSlice(parsing: text) else {
            throw fail("simfleet run: --shard wants I/N with 0 ≤ I < N (e.g. 0/4 … 3/4), got '" + text + "'")
        }
        var startAt: Int64?
        if let at = flags.startAt {
            guard let micros = ScenarioRunCommand.unixMicros(at) else {
                throw fail("simfleet run: --start-at wants Unix seconds or an ISO 8601 time like 2026-12-01T10:00:00Z, got '" + at + "'")
            }
            startAt = micros
        }
        return ShardOptions(slice: slice, syncDirectory: flags.syncDir, startAtMicros: startAt)
    }

    /// `1764583200`, `1764583200.5` or `2026-12-01T10:00:00Z` as Unix microseconds.
    static func unixMicros(_ text: String) -> Int64? {
        if let seconds = Double(text), seconds > 0 { return Int64(seconds * 1_000_000) }
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = iso.date(from: text) { return Int64(date.timeIntervalSince1970 * 1_000_000) }
        iso.formatOptions = [.withInternetDateTime]
        return iso.date(from: text).map { Int64($0.timeIntervalSince1970 * 1_000_000) }
    }

    /// The flags that replace parts of the scenario. `fleetFlagsApply: false` for a flags-only run,
    /// whose fleet flags already made the scenario.
    func overrides(fleetFlagsApply: Bool = true) throws -> ScenarioOverrides {
        var o = ScenarioOverrides()
        if let text = flags.scale {
            guard let v = Double(text), v > 0, v <= 10 else { throw fail("simfleet run: --scale wants a factor like 0.1, got '" + text + "'") }
            o.scale = v
        }
        try httpOverrides(&o)
        if fleetFlagsApply { try fleetOverrides(&o) }
        if let text = flags.mqtt {
            guard let v = MQTTOptions.version(text) else { throw fail("simfleet run: --mqtt must be 3.1.1 or 5, got '" + text + "'") }
            o.mqttVersion = v
        }
        if let problem = flags.tlsProblem { throw fail("simfleet run: " + problem) }
        if flags.broker == nil, flags.caFile != nil || flags.cert != nil {
            throw fail("simfleet run: --ca-file, --cert and --key apply with --broker mqtts://")
        }
        if let broker = flags.broker {
            guard broker.hasPrefix("mqtt://") || broker.hasPrefix("mqtts://") else {
                throw fail("simfleet run: --broker wants mqtt://host:port or mqtts://host:port, got '" + broker + "'")
            }
            let tlsFlags = flags.caFile != nil || flags.cert != nil
            if tlsFlags && !broker.hasPrefix("mqtts://") {
                throw fail("simfleet run: --ca-file, --cert and --key need an mqtts:// broker, got '" + broker + "'")
            }
            let tls = tlsFlags ? TLSFiles(ca: flags.caFile, cert: flags.cert, key: flags.key, verifyHostname: true) : nil
            o.backend = .external(ExternalBackend(broker: broker, api: flags.api, username: flags.username,
                                                  password: flags.password, tls: tls))
        }
        do {
            let shape = try flags.backendShape()
            o.topics = shape.topics
            o.telemetry = shape.telemetry
            o.deviceHTTP = shape.deviceHTTP
        } catch let e as RunCommand.UsageProblem {
            throw fail("simfleet run: " + e.message)
        }
        return o
    }

    /// `RunCommand.duration` with the run's usage message on failure.
    func duration(_ text: String, flag: String, within range: ClosedRange<TimeSpan>, wants what: String) throws -> TimeSpan {
        do { return try RunCommand.duration(text, flag: flag, within: range, wants: what) } catch {
            throw fail("simfleet run: " + error.message)
        }
    }

    /// `--duration`, `--seed`, `--devices`, `--heartbeat`, `--qos`, `--ramp` over a scenario file's
    /// groups; the flags that only a flags-only run's fleet takes are refused.
    func fleetOverrides(_ o: inout ScenarioOverrides) throws {
        if let text = flags.duration {
            o.duration = try duration(text, flag: "--duration", within: FleetLimits.scenarioDuration, wants: "a time from 1s to 24h like 60s")
        }
        if let text = flags.devices {
            guard let v = Int(text), FleetLimits.groupDevices.contains(v) else {
                throw fail("simfleet run: --devices wants a whole number from 1 to " + String(FleetLimits.groupDevices.upperBound)
                           + " (each group's count), got '" + text + "'")
            }
            o.devices = v
        }
        do {
            if let text = flags.seed { o.seed = try RunCommand.seedValue(text) }
            if let text = flags.heartbeat { o.heartbeat = try RunCommand.heartbeatInterval(text) }
            if let text = flags.qos { o.qos = try RunCommand.qualityOfService(text) }
            if let text = flags.ramp { o.rampPerSecond = try RunCommand.rampRate(text) }
        } catch { throw fail("simfleet run: " + error.message) }
        for (name, given) in [("--id-template", flags.idTemplate), ("--chip", flags.chip), ("--firmware", flags.firmware)] where given != nil {
            throw fail("simfleet run: " + name + " does not apply to a scenario run; the scenario's fleet groups say it")
        }
        if flags.unprovisioned { throw fail("simfleet run: --unprovisioned does not apply to a scenario run; use 'provisioned: false'") }
    }

    /// `--api`, `--register-*`, `--manifest-*` and `--version-source`, for any run.
    func httpOverrides(_ o: inout ScenarioOverrides) throws {
        if let api = flags.api {
            guard api.hasPrefix("http://") || api.hasPrefix("https://") else { throw fail("simfleet run: --api wants an http(s):// URL, got '" + api + "'") }
            o.api = api
        }
        if let path = flags.registerPath {
            guard path.hasPrefix("/") else { throw fail("simfleet run: --register-path must start with /, got '" + path + "'") }
            o.registerPath = path
        }
        o.registerBody = flags.registerBody
        if !flags.registerHeaders.isEmpty {
            for h in flags.registerHeaders where !h.contains(":") || h.hasPrefix(":") || h.contains("\n") || h.contains("\r") {
                throw fail("simfleet run: --register-header wants 'Name: value', got '" + h + "'")
            }
            o.registerHeaders = flags.registerHeaders
        }
        if let text = flags.registerRetries {
            guard let v = Int(text), (0...20).contains(v) else { throw fail("simfleet run: --register-retries wants 0…20, got '" + text + "'") }
            o.registerRetries = v
        }
        if let url = flags.manifestURL {
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else { throw fail("simfleet run: --manifest-url wants an http(s):// URL, got '" + url + "'") }
            o.manifestURL = url
        }
        if let text = flags.manifestPoll {
            o.manifestPoll = try duration(text, flag: "--manifest-poll", within: .seconds(1) ... .seconds(86_400), wants: "a time like 5m (1s…24h)")
        }
        if let text = flags.manifestJitter {
            o.manifestJitter = try duration(text, flag: "--manifest-jitter", within: .zero ... (o.manifestPoll ?? .seconds(86_400)),
                                            wants: "a time no longer than --manifest-poll")
        }
        if let text = flags.versionSource {
            guard let v = FirmwareVersionSource(name: text) else {
                throw fail("simfleet run: --version-source must be release or app_descriptor, got '" + text + "'")
            }
            o.versionSource = v
        }
    }
}
