import ArgumentParser
import Dispatch
import Foundation
import SimFleet

/// `simfleet run`: a fleet from flags (or a scenario file) against the embedded or a given backend.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a fleet of simulated ESP32s against an MQTT broker and report what arrived.",
        discussion: """
            With no --broker, simfleet starts a local mosquitto (from PATH) on a free loopback port and stops it \
            when the run ends. Each device runs the DeviceCore firmware: it joins WiFi, connects to MQTT with a \
            last will, and publishes a heartbeat to device/<id>/status every --heartbeat. An observer client \
            subscribed to device/+/status measures end-to-end latency and checks that every acknowledged QoS 1 \
            heartbeat arrived.

            Examples:
              simfleet run --devices 100 --duration 30s
              simfleet run scenarios/quickstart.yaml --report run.json --metrics-port 9464
              simfleet run scenarios/heartbeat-10k.yaml --scale 0.05   # CI size; docs/scenarios.md
              simfleet run --devices 10000 --ramp 1000/s --heartbeat 10s --report run.json
              simfleet run --broker mqtt://127.0.0.1:1883 --username '{id}' --password 'secret-{n}'
              simfleet run --broker mqtts://broker.local:8883 --ca-file ca.pem --cert dev.pem --key dev.key

            Exit status: 0 the run completed (and its expectations held), 1 an expectation failed, \
            2 invalid input or the run could not be set up (e.g. more devices than the open-file limit allows).
            """
    )

    @Argument(help: "A scenario file (YAML). Flags given here override it.")
    var scenario: String?

    @Option(help: "Number of devices (default 100).") var devices: String?
    @Option(help: "Steady time after the ramp, e.g. 60s, 5m (default 60s; with a scenario: the whole run).") var duration: String?
    @Option(help: "Heartbeat interval, e.g. 10s (default 10s).") var heartbeat: String?
    @Option(help: "QoS of heartbeats: 0 or 1 (default 1).") var qos: String?
    @Option(help: "Connect ramp in devices per second, e.g. 1000/s (default 1000/s).") var ramp: String?
    @Option(help: "Broker URL mqtt://host:port or mqtts://host:port (default: embedded mosquitto).") var broker: String?
    @Option(name: .customLong("ca-file"), help: "CA certificate file for mqtts://.") var caFile: String?
    @Option(help: "Client certificate for mqtts:// (optional).") var cert: String?
    @Option(help: "Client key for mqtts:// (optional).") var key: String?
    @Option(help: "MQTT username template ({id}, {n}).") var username: String?
    @Option(help: "MQTT password template ({id}, {n}).") var password: String?
    @Option(help: "Backend API base URL for device registration (POST {api}/devices/register).") var api: String?
    @Option(name: .customLong("id-template"), help: "Device id template: {n}, {n:06}, {chip}, {mac} (default {chip}-{n:06}).") var idTemplate: String?
    @Option(help: "Chip: esp32, esp32s3, esp32c3, esp32c6 (default esp32c6).") var chip: String?
    @Option(help: "Firmware version the devices start with (default 1.0.0).") var firmware: String?
    @Option(help: "Seed: the same seed gives the same ids, MACs and jitter (default 1).") var seed: String?
    @Option(help: "Reactor threads (default: one per core; with the embedded broker one core fewer, at least 1, leaving a core to mosquitto).") var reactors: String?
    @Option(name: .customLong("timer-tick"), help: "Reactor timer tick, 1ms…100ms (default 10ms, FreeRTOS's default tick): device timers fire on the next tick. Longer ticks batch more heartbeats per wake-up (less CPU) and make the load burstier.")
    var timerTick: String?
    @Option(name: .customLong("download-deadline"), help: "A device abandons a firmware or manifest download not complete within this, resumes included, 1s…24h (default 10m).")
    var downloadDeadline: String?
    @Option(name: .customLong("stall-timeout"), help: "A download that moves no byte for this long is cancelled and resumed, 1s…10m (default 30s).")
    var stallTimeout: String?
    @Option(name: .customLong("firmware-dir"), help: "Directory the embedded firmware origin serves (images, manifest.json).")
    var firmwareDir: String?
    @Option(help: "Write the JSON report here.") var report: String?
    @Option(name: .customLong("release"), help: "A firmware release the embedded origin serves as fw-<version>.bin (repeatable; manifest.json names the last).")
    var releases: [String] = []
    @Option(name: .customLong("signing-key"), help: "PEM key (RSA-3072 or ECDSA-P256) signing every image; devices get Secure Boot with its digest.")
    var signingKey: String?
    @Flag(help: "Start devices unprovisioned (access-point mode).") var unprovisioned = false
    @Option(name: .customLong("ap-pool"), help: "With --unprovisioned: device i's portal (HTTP 8080, DNS 5353) on the i-th address of this 127.x.0.0/16 block.") var apPool: String = "127.20.0.0/16"
    @Option(help: "Scenario runs: multiply every device count by this (e.g. 0.1 in CI).") var scale: String?
    @Option(name: .customLong("metrics-port"), help: "Serve Prometheus metrics at http://127.0.0.1:PORT/metrics during a scenario run.") var metricsPort: String?
    @Option(help: "Scenario runs: where to write the HTML report (default: the JSON report's path with .html).") var html: String?

    func run() throws {
        if let scenario {
            try ScenarioRunCommand(file: scenario, flags: self).run()
            return
        }
        let config: FleetConfiguration
        do { config = try makeConfiguration() } catch let e as UsageProblem {
            FileHandle.standardError.write(Data(("simfleet run: " + e.message + "\n").utf8))
            throw ExitCode(2)
        }
        let runner = FleetRunner(configuration: config)
        let signals = SignalTrap { runner.requestStop() }
        defer { signals.release() }
        do { try runner.start() } catch {
            FileHandle.standardError.write(Data("simfleet run: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let budget = runner.budget
        FileHandle.standardError.write(Data(
            "simfleet: \(config.devices) devices on \(runner.brokerURL), \(config.reactors) reactors; open-file limit \(budget.softLimit) allows \(budget.deviceCeiling) devices\n".utf8))
        if isatty(2) != 0 {
            let last = ReceivedBox()
            runner.onSample = { s, t in
                let rate = s.received - last.value
                last.value = s.received
                let line = String(format: "\r[%5.0fs] connecting %d  online %d/%d  updating %d  failed %d  msg/s %d  errors %d   ", t,
                                  s.connecting, s.online, s.requested, s.updating, s.neverConnected, rate, s.errorTotal)
                FileHandle.standardError.write(Data(line.utf8))
            }
        }
        let result = runner.runToCompletion()
        if isatty(2) != 0 { FileHandle.standardError.write(Data("\n".utf8)) }
        print(result.summary())
        if let report {
            do { try result.json().write(toFile: report, atomically: true, encoding: .utf8) } catch {
                FileHandle.standardError.write(Data("simfleet run: cannot write \(report): \(error)\n".utf8))
                throw ExitCode(2)
            }
        }
        if !result.passed { throw ExitCode(1) }
    }

    struct UsageProblem: Error { var message: String }

    private func makeConfiguration() throws -> FleetConfiguration {
        if scale != nil || metricsPort != nil || html != nil {
            throw UsageProblem(message: "--scale, --metrics-port and --html apply to scenario runs")
        }
        let devices = self.devices ?? "100", duration = self.duration ?? "60s", heartbeat = self.heartbeat ?? "10s"
        let qos = self.qos ?? "1", ramp = self.ramp ?? "1000/s", seed = self.seed ?? "1", chip = self.chip ?? "esp32c6"
        var c = FleetConfiguration()
        guard let n = Int(devices), n >= 0 else { throw UsageProblem(message: "--devices wants a whole number ≥ 0, got '\(devices)'") }
        c.devices = n
        guard let d = Self.seconds(duration), d >= 0, d <= Self.longestDuration else {
            throw UsageProblem(message: "--duration wants a time from 0s to 7 days like 60s or 5m, got '\(duration)'")
        }
        c.durationSeconds = d
        guard let h = Self.seconds(heartbeat), h >= 0.1, h <= 3600 else {
            throw UsageProblem(message: "--heartbeat wants a time from 100ms to 1h like 10s, got '\(heartbeat)'")
        }
        c.heartbeatMs = Int64((h * 1000).rounded())
        guard let q = Int(qos), q == 0 || q == 1 else { throw UsageProblem(message: "--qos must be 0 or 1, got '\(qos)'") }
        c.qos = q
        guard let r = Self.devicesPerSecond(ramp) else {
            throw UsageProblem(message: "--ramp wants 0.001/s to 1000000/s devices per second like 1000/s, got '\(ramp)'")
        }
        c.rampPerSecond = r
        guard let s = UInt64(seed) else { throw UsageProblem(message: "--seed wants a whole number, got '\(seed)'") }
        c.seed = s
        guard let chipModel = ChipModelName.parse(chip) else { throw UsageProblem(message: "--chip must be esp32, esp32s3, esp32c3 or esp32c6, got '\(chip)'") }
        c.chip = chipModel
        c.firmwareVersion = firmware ?? "1.0.0"
        c.idTemplate = idTemplate ?? "{chip}-{n:06}"
        c.provisioned = !unprovisioned
        if unprovisioned {
            guard let pool = LoopbackAddressPool(cidr: apPool) else {
                throw UsageProblem(message: "--ap-pool wants 127.X.0.0/16 with X > 0, got '\(apPool)'")
            }
            c.accessPoints = AccessPointExposure(pool: pool, log: { line in FileHandle.standardError.write(Data((line + "\n").utf8)) })
        }
        c.usernameTemplate = username
        c.passwordTemplate = password
        c.api = api
        c.firmwareDirectory = firmwareDir
        c.ota.releases = releases
        c.ota.signingKeyPath = signingKey
        if let reactors {
            guard let r = Int(reactors), r >= 1, r <= 64 else { throw UsageProblem(message: "--reactors wants 1…64, got '\(reactors)'") }
            c.reactors = r
        }
        if let timerTick {
            guard let ms = RunCommand.timerTickMs(timerTick) else { throw UsageProblem(message: "--timer-tick wants 1ms…100ms, got '\(timerTick)'") }
            c.timerTickMs = ms
        }
        let limits = try downloadLimits()
        if let seconds = limits.deadline { c.ota.downloadDeadlineSeconds = seconds }
        if let seconds = limits.stall { c.ota.stallTimeoutSeconds = seconds }
        if let broker {
            let tls = caFile.map { TLSSettings(caFile: $0, certFile: cert, keyFile: key) }
            guard let choice = BrokerChoice.parse(broker, tls: tls) else {
                throw UsageProblem(message: "--broker wants mqtt://host:port or mqtts://host:port (mqtts needs --ca-file), got '\(broker)'")
            }
            c.broker = choice
        }
        return c
    }

    /// `--timer-tick`: `10ms`, `0.02s` (whole milliseconds, 1…100); nil when out of range or malformed.
    /// The range is checked on the `Double` before any conversion to `Int` (`1e300` would trap).
    static func timerTickMs(_ text: String) -> Int? {
        guard let s = seconds(text) else { return nil }
        let ms = s * 1000
        guard ms >= 1, ms <= 100, ms == ms.rounded() else { return nil }
        return Int(ms)
    }

    /// `--download-deadline` (1s…24h) and `--stall-timeout` (1s…10m), nil where not given.
    func downloadLimits() throws -> (deadline: Double?, stall: Double?) {
        var out: (deadline: Double?, stall: Double?) = (nil, nil)
        if let text = downloadDeadline {
            guard let s = Self.seconds(text), s >= 1, s <= 86_400 else {
                throw UsageProblem(message: "--download-deadline wants a time from 1s to 24h like 10m, got '\(text)'")
            }
            out.deadline = s
        }
        if let text = stallTimeout {
            guard let s = Self.seconds(text), s >= 1, s <= 600 else {
                throw UsageProblem(message: "--stall-timeout wants a time from 1s to 10m like 30s, got '\(text)'")
            }
            out.stall = s
        }
        return out
    }

    /// Longest `--duration` of a flags run: a week (a soak test; the progress clock and the
    /// sampling deadlines stay far from overflow).
    static let longestDuration = 7 * 86_400.0

    /// `60s`, `5m`, `1h`, `500ms` or plain seconds; nil for anything else and for values that are
    /// not finite (`inf`, `nan`, `1e400`), so callers compare ranges on real numbers.
    static func seconds(_ text: String) -> Double? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        var value = Double(text)
        for (suffix, factor) in units where value == nil && text.hasSuffix(suffix) {
            value = Double(text.dropLast(suffix.count)).map { $0 * factor }
        }
        guard let value, value.isFinite else { return nil }
        return value
    }

    /// `--ramp`: `1000/s` or `1000`, 0.001…1,000,000 devices per second (a slower ramp would put
    /// the last device's power-on beyond any run; `1e-300/s` overflowed the schedule).
    static func devicesPerSecond(_ text: String) -> Double? {
        let number = text.hasSuffix("/s") ? String(text.dropLast(2)) : text
        guard let rate = Double(number), rate.isFinite, rate >= 0.001, rate <= 1_000_000 else { return nil }
        return rate
    }
}

/// Turns SIGINT/SIGTERM into a graceful stop (the run still drains, reports and stops its broker).
final class SignalTrap: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []

    init(_ handler: @escaping @Sendable () -> Void) {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler(handler: handler)
            s.resume()
            sources.append(s)
        }
    }

    func release() {
        for s in sources { s.cancel() }
        sources.removeAll()
    }
}

/// The previous sample's received count, for the progress line's rate (sampling thread only).
final class ReceivedBox: @unchecked Sendable { var value = 0 }
