import ArgumentParser
import DeviceCore
import Foundation
import SimFleet

/// `simfleet run SCENARIO.yaml`: validates the file, applies the flags, runs it and exits 0 when
/// every expectation held, 1 naming each failed one with its measured value, 2 for an invalid
/// scenario, a step the runtime cannot do yet, or a run that could not be set up.
struct ScenarioRunCommand {
    let file: String
    let flags: RunCommand

    func fail(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        return ExitCode(2)
    }

    func run() throws {
        let loaded: Scenario
        do {
            loaded = try ScenarioLoader.load(path: file)
        } catch {
            throw fail(error.description)
        }
        let scenario = try overrides().apply(to: loaded)
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
        let limits: (deadline: Double?, stall: Double?)
        do { limits = try flags.downloadLimits() } catch let e as RunCommand.UsageProblem { throw fail("simfleet run: " + e.message) }
        FileHandle.standardError.write(Data(("simfleet: scenario " + scenario.name + ": " + String(scenario.deviceCount)
                                             + " devices, " + String(scenario.timeline.count) + " steps, seed "
                                             + String(scenario.seed) + "\n").utf8))
        var trap: SignalTrap?
        let outcome: ScenarioRun.Outcome
        var options = ScenarioRun.Options(reportPath: reportPath, htmlPath: htmlPath, metricsPort: metricsPort, reactors: reactors,
                                          timerTickMs: timerTickMs, progress: isatty(2) != 0)
        options.downloadDeadlineSeconds = limits.deadline
        options.stallTimeoutSeconds = limits.stall
        do {
            outcome = try ScenarioRun.execute(
                scenario,
                options: options,
                stopSignal: { stop in trap = SignalTrap(stop) })
        } catch {
            trap?.release()
            throw fail("simfleet run: " + String(describing: error))
        }
        trap?.release()
        print(outcome.report.summary())
        print("expectations:")
        for line in outcome.verdict.lines() { print(line) }
        print("wrote " + reportPath + " and " + htmlPath)
        guard outcome.verdict.passed else {
            for failed in outcome.verdict.failed {
                FileHandle.standardError.write(Data(("simfleet run: expectation failed: " + failed.expression
                                                     + " (measured " + failed.measured + ")\n").utf8))
            }
            throw ExitCode(1)
        }
    }

    /// The flags that replace parts of the scenario.
    func overrides() throws -> ScenarioOverrides {
        var o = ScenarioOverrides()
        if let text = flags.scale {
            guard let v = Double(text), v > 0, v <= 10 else { throw fail("simfleet run: --scale wants a factor like 0.1, got '" + text + "'") }
            o.scale = v
        }
        if let text = flags.duration {
            guard let d = Units.parseDuration(text), d >= .seconds(1), d <= .seconds(86_400) else {
                throw fail("simfleet run: --duration wants a time from 1s to 24h like 60s, got '" + text + "'")
            }
            o.duration = d
        }
        if let text = flags.seed {
            guard let v = UInt64(text) else { throw fail("simfleet run: --seed wants a whole number, got '" + text + "'") }
            o.seed = v
        }
        if let text = flags.devices {
            guard let v = Int(text), v >= 1 else { throw fail("simfleet run: --devices wants a whole number ≥ 1, got '" + text + "'") }
            o.devices = v
        }
        if let text = flags.heartbeat {
            guard let v = Units.parseDuration(text), v >= .milliseconds(100), v <= .seconds(3600) else {
                throw fail("simfleet run: --heartbeat wants a time from 100ms to 1h like 10s, got '" + text + "'")
            }
            o.heartbeat = v
        }
        if let text = flags.qos {
            guard let v = Int(text), v == 0 || v == 1 else { throw fail("simfleet run: --qos must be 0 or 1, got '" + text + "'") }
            o.qos = v
        }
        if let text = flags.ramp {
            guard let v = RunCommand.devicesPerSecond(text) else {
                throw fail("simfleet run: --ramp wants 0.001/s to 1000000/s devices per second like 1000/s, got '" + text + "'")
            }
            o.rampPerSecond = v
        }
        if let broker = flags.broker {
            guard broker.hasPrefix("mqtt://") || broker.hasPrefix("mqtts://") else {
                throw fail("simfleet run: --broker wants mqtt://host:port or mqtts://host:port, got '" + broker + "'")
            }
            let tls = flags.caFile.map { TLSFiles(ca: $0, cert: flags.cert, key: flags.key, verifyHostname: true) }
            o.backend = .external(ExternalBackend(broker: broker, api: flags.api, username: flags.username,
                                                  password: flags.password, tls: tls))
        }
        for (name, given) in [("--id-template", flags.idTemplate), ("--chip", flags.chip), ("--firmware", flags.firmware)] where given != nil {
            throw fail("simfleet run: " + name + " does not apply to a scenario run; the scenario's fleet groups say it")
        }
        if flags.unprovisioned { throw fail("simfleet run: --unprovisioned does not apply to a scenario run; use 'provisioned: false'") }
        return o
    }
}
