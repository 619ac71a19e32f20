import ArgumentParser
import Dispatch
import DeviceCore
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
            last will, and publishes a heartbeat to device/<id>/status (PREFIX/<id>/status with --topic-prefix) \
            every --heartbeat, and telemetry with --telemetry-every. An observer client subscribed to the status \
            (and telemetry) topics measures end-to-end latency and checks that every acknowledged QoS 1 message arrived.

            Examples:
              simfleet run --devices 100 --duration 30s
              simfleet run scenarios/quickstart.yaml --report run.json --metrics-port 9464
              simfleet run scenarios/heartbeat-10k.yaml --scale 0.05   # CI size; docs/scenarios.md
              simfleet run --devices 10000 --ramp 1000/s --heartbeat 10s --report run.json
              simfleet run --broker mqtt://127.0.0.1:1883 --username '{id}' --password 'secret-{n}'
              simfleet run --broker mqtts://broker.local:8883 --ca-file ca.pem --cert 'certs/{id}.pem' --key 'certs/{id}.key'
              simfleet run --devices 500 --mqtt 5 --qos 2

            Exit status: 0 the run completed (and its expectations held), 1 an expectation failed, \
            2 invalid input or the run could not be set up (e.g. more devices than the open-file limit allows).
            """
    )

    @Argument(help: "A scenario file (YAML). Flags given here override it.")
    var scenario: String?

    @Option(help: "Number of devices (default \(FleetDefaults.devices)).") var devices: String?
    @Option(help: "Steady time after the ramp, e.g. 60s, 5m (default \(FleetDefaults.steady.microseconds / 1_000_000)s; with a scenario: the whole run).") var duration: String?
    @Option(help: "Heartbeat interval, e.g. 10s (default \(Units.format(FleetDefaults.heartbeat))).") var heartbeat: String?
    @Option(help: "QoS of heartbeats: 0, 1 or 2 (default \(FleetDefaults.qos)).") var qos: String?
    @Option(help: "MQTT version the devices speak: 3.1.1 or 5 (default 3.1.1).") var mqtt: String?
    @Option(help: "Connect ramp in devices per second, e.g. 1000/s (default \(Int(FleetDefaults.rampPerSecond))/s).") var ramp: String?
    @Option(help: "Broker URL mqtt://host:port or mqtts://host:port (default: embedded mosquitto).") var broker: String?
    @Option(name: .customLong("ca-file"), help: "CA certificate file for mqtts:// (default: the system trust store).") var caFile: String?
    @Option(help: "Client certificate for mqtts:// (optional; a template such as certs/{id}.pem gives each device its own).") var cert: String?
    @Option(help: "Client key for mqtts:// (with --cert; a template such as certs/{id}.key).") var key: String?
    @Option(help: "MQTT username template ({id}, {n}).") var username: String?
    @Option(help: "MQTT password template ({id}, {n}).") var password: String?
    @Option(help: "Backend API base URL for device registration (POST {api}/devices/register).") var api: String?
    @Option(name: .customLong("id-template"), help: "Device id template: {n}, {n:06}, {chip}, {mac} (default \(FleetDefaults.idTemplate)).") var idTemplate: String?
    @Option(help: "Chip: esp32, esp32s3, esp32c3, esp32c6 (default \(FleetDefaults.chip.idPrefix)).") var chip: String?
    @Option(help: "Firmware version the devices start with (default \(FleetDefaults.firmwareVersion)).") var firmware: String?
    @Option(help: "Seed: the same seed gives the same ids, MACs and jitter (default \(FleetDefaults.seed)).") var seed: String?
    @Option(help: "Reactor threads (default: one per core; with the embedded broker one core fewer, at least 1, leaving a core to mosquitto).") var reactors: String?
    @Option(name: .customLong("timer-tick"), help: "Reactor timer tick, 1ms…100ms (default \(FleetDefaults.timerTickMs)ms, FreeRTOS's default tick): device timers fire on the next tick. Longer ticks batch more heartbeats per wake-up (less CPU) and make the load burstier.")
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
    @Option(name: .customLong("ap-pool"), help: "With --unprovisioned: device i's portal (HTTP 8080, DNS 5353) on the i-th address of this 127.x.0.0/16 block.") var apPool: String = FleetDefaults.addressPool
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

    @Option(help: "Scenario runs: run shard I of N (I from 0): every N-th device of the whole scenario; see docs/scale-out.md.")
    var shard: String?
    @Option(name: .customLong("sync-dir"), help: "With --shard: a directory every shard sees (shared volume): start barrier and step agreement.")
    var syncDir: String?
    @Option(name: .customLong("start-at"), help: "With --shard and no --sync-dir: the common ramp start, Unix seconds or 2026-12-01T10:00:00Z.")
    var startAt: String?
    @Option(name: .customLong("source-ip"), help: "Local address the devices connect from (repeatable or comma-separated: used in turn).")
    var sourceIPs: [String] = []
    @Option(name: .customLong("topic-prefix"), help: "Device topics PREFIX/{id}/status, PREFIX/{id}/ota, PREFIX/{id}/logs (default device; may use {n}, {chip}, {group}, {mac}).")
    var topicPrefix: String?
    @Option(name: .customLong("telemetry-every"), help: "Every device also publishes telemetry this often (e.g. 1s) on …/{id}/telemetry, QoS 0: seq, ts, a temperature walk.")
    var telemetryEvery: String?
    @Option(name: .customLong("telemetry-bytes"), help: "With --telemetry-every: pad each telemetry message to this many bytes (1…65536).")
    var telemetryBytes: String?
    @Flag(name: .customLong("device-http"), help: "Provisioned devices serve their local HTTP API (/version, /update, /restart, …) on their own address of the --ap-pool block, port --device-http-port.")
    var deviceHTTP = false
    @Option(name: .customLong("device-http-port"), help: "With --device-http: the port every device listens on (default \(FleetDefaults.deviceHTTPPort)).")
    var deviceHTTPPort: String?
    @Flag(name: .customLong("print-addresses"), help: "Print each device's id and web server URL (--device-http or device_http:) and exit without running.")
    var printAddresses = false
    @Flag(name: .customLong("virtual-time"), help: "Run in virtual time: the same devices and scenario with no sockets (a scripted broker and origin), as fast as the CPU allows; --reactors sets the threads. docs/virtual-time.md")
    var virtualTime = false

    func run() throws {
        try ScenarioRunCommand(file: scenario, flags: self).run()
    }

    /// A flags-only run: one group of `--devices` devices for the ramp plus `--duration`; a flag
    /// left out takes its `FleetDefaults` value.
    func fleetFlags() throws(UsageProblem) -> FleetFlags {
        try Self.usage { () throws(FlagError) in
            try FleetFlags(devices: devices, duration: duration, heartbeat: heartbeat, qos: qos, ramp: ramp, seed: seed,
                           chip: chip, firmware: firmware, idTemplate: idTemplate, unprovisioned: unprovisioned)
        }
    }

    struct UsageProblem: Error { var message: String }

    /// A TLS flag combination that cannot work, before anything starts.
    var tlsProblem: String? {
        (cert == nil) != (key == nil) ? "--cert and --key go together (a client certificate needs its key)" : nil
    }

    /// `--topic-prefix`, `--telemetry-every`/`--telemetry-bytes` and `--device-http`, checked.
    func backendShape() throws -> (topics: TopicLayout?, telemetry: TelemetryShorthand?, deviceHTTP: DeviceHTTPSettings?) {
        var topics: TopicLayout?
        if let topicPrefix {
            do { topics = try TopicLayout(prefix: topicPrefix) } catch {
                throw UsageProblem(message: "--topic-prefix '\(topicPrefix)' " + error.message)
            }
        }
        var telemetry: TelemetryShorthand?
        var bytes: Int?
        if let telemetryBytes {
            guard let b = Int(telemetryBytes), (1...65_536).contains(b) else {
                throw UsageProblem(message: "--telemetry-bytes wants 1…65536, got '\(telemetryBytes)'")
            }
            guard telemetryEvery != nil else { throw UsageProblem(message: "--telemetry-bytes needs --telemetry-every") }
            bytes = b
        }
        if let telemetryEvery {
            let every = try Self.duration(telemetryEvery, flag: "--telemetry-every", within: .milliseconds(10) ... .seconds(3600),
                                          wants: "a time from 10ms to 1h like 1s")
            telemetry = TelemetryShorthand(every: every, bytes: bytes)
        }
        var web: DeviceHTTPSettings?
        if let deviceHTTPPort, !deviceHTTP { throw UsageProblem(message: "--device-http-port '\(deviceHTTPPort)' needs --device-http") }
        if deviceHTTP {
            guard let pool = LoopbackAddressPool(cidr: apPool) else {
                throw UsageProblem(message: "--ap-pool wants 127.X.0.0/16 with X > 0, got '\(apPool)'")
            }
            let port = deviceHTTPPort ?? String(FleetDefaults.deviceHTTPPort)
            guard let p = Int(port), (1...65535).contains(p) else { throw UsageProblem(message: "--device-http-port wants 1…65535, got '\(port)'") }
            web = DeviceHTTPSettings(port: p, block: pool.block)
        }
        return (topics, telemetry, web)
    }

    /// `--timer-tick`: `10ms`, `0.02s` (whole milliseconds, 1…100); nil when out of range or malformed.
    static func timerTickMs(_ text: String) -> Int? {
        guard let span = try? Units.duration(text), span >= .milliseconds(1), span <= .milliseconds(100),
              span.microseconds % 1000 == 0 else { return nil }
        return Int(span.milliseconds)
    }

    /// `--source-ip` values (repeated or comma-separated), each a numeric IPv4 or IPv6 address; nil if one is not.
    static func sourceAddresses(_ values: [String]) -> [String]? {
        let all = values.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        for a in all {
            var v4 = in_addr(), v6 = in6_addr()
            guard inet_pton(AF_INET, a, &v4) == 1 || inet_pton(AF_INET6, a, &v6) == 1 else { return nil }
        }
        return all
    }

    /// `--download-deadline` (1s…24h) and `--stall-timeout` (1s…10m), nil where not given.
    func downloadLimits() throws(UsageProblem) -> (deadline: Double?, stall: Double?) {
        var out: (deadline: Double?, stall: Double?) = (nil, nil)
        if let text = downloadDeadline {
            let span = try Self.duration(text, flag: "--download-deadline", within: .seconds(1) ... .seconds(86_400),
                                         wants: "a time from 1s to 24h like 10m")
            out.deadline = Double(span.microseconds) / 1e6
        }
        if let text = stallTimeout {
            let span = try Self.duration(text, flag: "--stall-timeout", within: .seconds(1) ... .seconds(600),
                                         wants: "a time from 1s to 10m like 30s")
            out.stall = Double(span.microseconds) / 1e6
        }
        return out
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
