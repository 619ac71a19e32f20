import ArgumentParser
import DeviceCore
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
    @Option(name: .customLong("firmware-dir"), help: "Directory the embedded firmware origin serves (images, manifest.json).")
    var firmwareDir: String?
    @Option(help: "Write the JSON report here.") var report: String?
    @Option(name: .customLong("release"), help: "A firmware release the embedded origin serves as fw-<version>.bin (repeatable; manifest.json names the last).")
    var releases: [String] = []
    @Option(name: .customLong("signing-key"), help: "PEM key (RSA-3072 or ECDSA-P256) signing every image; devices get Secure Boot with its digest.")
    var signingKey: String?
    @Flag(help: "Start devices unprovisioned (access-point mode).") var unprovisioned = false
    @Option(name: .customLong("ap-pool"), help: "With --unprovisioned: device i's portal (HTTP 8080, DNS 5353) on the i-th address of this 127.x.0.0/16 block.") var apPool: String = "127.20.0.0/16"
    @Option(help: "Multiply every device count by this (e.g. 0.1 in CI).") var scale: String?
    @Option(name: .customLong("metrics-port"), help: "Serve Prometheus metrics at http://127.0.0.1:PORT/metrics during the run (0: a free port).") var metricsPort: String?
    @Option(name: .customLong("metrics-linger"), help: "Keep /metrics up this long after the run with the final figures, e.g. 30s (default 0).")
    var metricsLinger: String?
    @Option(help: "Write the HTML report here (scenario runs: default the JSON report's path with .html).") var html: String?

    @Option(name: .customLong("manifest-url"), help: "The backend's manifest devices check ({version, firmware_url, released, notes}; default: the embedded origin's manifest.json).")
    var manifestURL: String?
    @Option(name: .customLong("manifest-poll"), help: "Devices poll the manifest this often, e.g. 5m (default: only when told).")
    var manifestPoll: String?
    @Option(name: .customLong("manifest-jitter"), help: "Each wait between polls is the interval ± up to this, per device (default: a tenth of --manifest-poll).")
    var manifestJitter: String?
    @Option(name: .customLong("version-source"), help: "The name devices report and compare: release (the name an update was installed under; default) or app_descriptor.")
    var versionSource: String?
    @Option(name: .customLong("register-path"), help: "Registration path under --api (default /devices/register).")
    var registerPath: String?
    @Option(name: .customLong("register-body"), help: #"Registration body template: {id} {n} {mac} {chip} {fw} {env:NAME} (default {"device_code":"{id}"})."#)
    var registerBody: String?
    @Option(name: .customLong("register-header"), help: "A registration header template 'Name: value', e.g. 'Authorization: Bearer {env:TOKEN}' (repeatable).")
    var registerHeaders: [String] = []
    @Option(name: .customLong("register-retries"), help: "Retries of a registration answered 5xx or lost, with capped backoff and full jitter; 0 = one try (default 3).")
    var registerRetries: String?

    func run() throws {
        try ScenarioRunCommand(file: scenario, flags: self).run()
    }

    /// A flags-only run: one group of `--devices` devices for the ramp plus `--duration`.
    func fleetFlags() throws(UsageProblem) -> FleetFlags {
        let devices = self.devices ?? "100", duration = self.duration ?? "60s", heartbeat = self.heartbeat ?? "10s"
        let qos = self.qos ?? "1", ramp = self.ramp ?? "1000/s", seed = self.seed ?? "1", chip = self.chip ?? "esp32c6"
        var f = FleetFlags()
        guard let n = Int(devices), n >= 1, n <= 1_000_000 else { throw UsageProblem(message: "--devices wants a whole number ≥ 1, got '\(devices)'") }
        f.devices = n
        guard let d = Self.seconds(duration), d >= 0, d < 1e7 else { throw UsageProblem(message: "--duration wants a time like 60s or 5m, got '\(duration)'") }
        f.steady = TimeSpan(microseconds: Int64(d * 1e6))
        guard let h = Self.seconds(heartbeat), h >= 0.1, h <= 3600 else { throw UsageProblem(message: "--heartbeat wants a time like 10s, got '\(heartbeat)'") }
        f.heartbeat = TimeSpan(microseconds: Int64(h * 1e6))
        guard let q = Int(qos), q == 0 || q == 1 else { throw UsageProblem(message: "--qos must be 0 or 1, got '\(qos)'") }
        f.qos = q
        let rampText = ramp.hasSuffix("/s") ? String(ramp.dropLast(2)) : ramp
        guard let r = Double(rampText), r > 0, r.isFinite else { throw UsageProblem(message: "--ramp wants devices per second like 1000/s, got '\(ramp)'") }
        f.rampPerSecond = r
        guard let s = UInt64(seed) else { throw UsageProblem(message: "--seed wants a whole number, got '\(seed)'") }
        f.seed = s
        guard let chipModel = ChipModelName.parse(chip) else { throw UsageProblem(message: "--chip must be esp32, esp32s3, esp32c3 or esp32c6, got '\(chip)'") }
        f.chip = chipModel
        f.firmware = firmware ?? "1.0.0"
        f.idTemplate = idTemplate ?? "{chip}-{n:06}"
        f.provisioned = !unprovisioned
        return f
    }

    struct UsageProblem: Error { var message: String }

    /// `--timer-tick`: `10ms`, `0.02s` (whole milliseconds, 1…100); nil when out of range or malformed.
    static func timerTickMs(_ text: String) -> Int? {
        guard let s = seconds(text), s * 1000 == (s * 1000).rounded(), (1...100).contains(Int(s * 1000)) else { return nil }
        return Int(s * 1000)
    }

    /// `60s`, `5m`, `1h`, `500ms` or plain seconds.
    static func seconds(_ text: String) -> Double? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            return Double(text.dropLast(suffix.count)).map { $0 * factor }
        }
        return Double(text)
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
