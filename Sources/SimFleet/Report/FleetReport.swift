import Foundation

/// The result of a run: everything `docs/report-format.md` describes. `json()` writes the report;
/// `summary()` is the human version the CLI prints. Scenario expectations read the fields.
public struct FleetReport: Sendable {
    public var configuration: FleetConfiguration
    public var startedAt: Date
    public var durationSeconds: Double
    public var brokerURL: String
    public var embedded: Bool
    public var requested: Int
    public var connected: Int
    public var onlineAtEnd: Int
    public var failed: Int
    public var sent: Int
    public var received: Int
    public var lost: Int
    public var lostDetail: [(device: String, seq: Int)]
    /// QoS 1 heartbeats the broker never acknowledged (connection lost first): not losses.
    public var unacknowledged: Int
    /// Status messages of devices outside the fleet, and messages on a fleet device's status topic
    /// that are no heartbeat (`messages.foreign`, `messages.malformed`): counted, never deliveries.
    public var foreignMessages = 0
    public var malformedMessages = 0
    /// The embedded broker's unexpected exits and the restarts that followed (`backend.broker_exits`,
    /// `backend.broker_restarts`); 0 with an external broker.
    public var brokerExits = 0
    public var brokerRestarts = 0
    public var reconnects: Int
    public var connectLatency: LatencySummary
    public var e2eLatency: LatencySummary
    public var e2eHistogram: [(leMs: Double, count: Int)]
    public var errors: [String: Int]
    /// Sessions devices ended on purpose, by cause (`PlannedDisconnect.key`): not in `errors`.
    public var plannedDisconnects: [String: Int]
    /// Device HTTP requests by kind (registration, manifest, firmware), every reactor merged.
    public var http: [HTTPKind: HTTPStats] = [:]
    public var versions: [String: Int]
    public var peakRSSBytes: Int
    public var cpuSeconds: Double
    public var reactors: Int
    /// The reactors' timer tick (`--timer-tick`), milliseconds.
    public var timerTickMs = 10
    public var fdLimit: Int
    public var deviceCeiling: Int
    public var observerReconnects: Int
    public var timeseries: Timeseries
    /// What the embedded firmware origin served and which faults it injected.
    public var originStats: OriginStats?
    public var registered: Int
    /// OTA commands published to devices during the run.
    public var commands = 0
    /// What the devices' updaters did (started, succeeded, refused by kind); nil without devices' counters.
    public var otaOutcomes: OTAOutcomes?
    /// Boots into a new image, rollbacks by the bootloader, devices with nothing bootable.
    public var imagesBooted: Int
    public var rollbacks: Int
    public var bricked: Int
    /// Power cuts a scenario made during an update's flash write (`ota.power_cuts`).
    public var powerCutsDuringFlash: Int
    /// Publishes whose first transmission a `packet_loss` fault lost (`network.packets_lost`).
    public var packetsLost: Int
    /// Connections a `disconnect_storm` dropped (`network.disconnects`); filled by the scenario engine.
    public var stormDisconnects = 0
    /// The scenario's timeline steps as they ran; filled by the scenario engine.
    public var phases: [TimelinePhase] = []
    /// What the devices lived through in each fault (`faults`); filled by the scenario engine.
    public var faults: [FaultImpact] = []
    /// What the fault proxy did (`network.proxy`); nil when no device went through it.
    public var proxy: FaultProxyStats?
    /// Devices that reached the broker through the fault proxy.
    public var proxiedDevices = 0
    /// The fleet's MQTT (`mqtt` in the report).
    public var mqtt = MQTTOptions()
    /// Portal provisioning done by the scenario engine (`provisioning.*`); nil when none was asked for.
    public var provisioning: ProvisioningTally?
    public var registrationFailed: Int
    public var downloadsStarted: Int
    public var downloadsFailed: Int
    public var aclAttempts: Int
    public var aclRefused: Int
    public var aclAllowed: Int
    /// Devices that never connected: last error and attempts (first 100).
    public var failures: [DeviceFailure] = []
    /// Seconds from the ramp's start until the last device first connected (nil if some never did).
    public var connectAllSeconds: Double?
    /// CPU seconds and heartbeats sent in the steady window (from 2 s after the ramp to the end).
    public var steadyCPUSeconds: Double?
    public var steadyHeartbeats: Int?
    /// Telemetry messages sent in the same window (CPU per message in `benchmarks/`).
    public var steadyTelemetry: Int?
    /// Telemetry streams, in the fleet's order (`telemetry` in the JSON report).
    public var telemetry: [TelemetryStreamReport] = []
    /// The run's topic layout (`topics`).
    public var topics = TopicLayout.default
    /// The devices' own web servers (`device_http`); nil when not exposed.
    public var deviceHTTP: DeviceHTTPReport?
    /// Filled by the scenario engine.
    public var expectations: [(expression: String, passed: Bool, measured: String)] = []
    /// The histograms behind `connectLatency` and `e2eLatency`, carried encoded (`latency.hdr`) so
    /// shard reports merge exactly.
    var connectRecorder = LatencyRecorder()
    var e2eRecorder = LatencyRecorder()
    /// Devices the observer received a status from, sorted (`devices.observed_ids`).
    public var observedIDs: [String] = []
    /// Which slice of which scenario a sharded run ran (`shard`); nil for an unsharded run.
    public var shard: ShardSection?
    /// Seconds between time-series samples (`timeseries.interval_s`): 1 on sockets, coarser for
    /// long virtual-time runs.
    public var timeseriesIntervalSeconds = 1
    /// How fast a virtual-time run went (`simulator.virtual_time`); nil for a run on sockets.
    public var virtualTime: VirtualTimeFigures?

    init(configuration: FleetConfiguration, startedAt: Date, durationSeconds: Double, brokerURL: String, embedded: Bool,
         snapshot s: FleetSnapshot, lost: Int, lostDetail: [(device: String, seq: Int)], unacknowledged: Int,
         connectLatency: LatencyRecorder, e2eLatency: LatencyRecorder, versions: [String: Int], peakRSSBytes: Int,
         cpuSeconds: Double, reactors: Int, budget: DescriptorBudget, observerReconnects: Int, timeseries: Timeseries) {
        self.configuration = configuration
        self.startedAt = startedAt
        self.durationSeconds = durationSeconds
        self.brokerURL = brokerURL
        self.embedded = embedded
        requested = configuration.localDevices
        connected = s.everConnected
        onlineAtEnd = s.online
        failed = configuration.localDevices - s.everConnected
        sent = s.sent
        received = s.received
        self.lost = lost
        self.lostDetail = lostDetail
        self.unacknowledged = unacknowledged
        reconnects = s.reconnects
        self.connectLatency = connectLatency.summary
        self.e2eLatency = e2eLatency.summary
        connectRecorder = connectLatency
        e2eRecorder = e2eLatency
        e2eHistogram = e2eLatency.buckets(boundsMs: [0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000])
        errors = s.errors
        plannedDisconnects = s.plannedDisconnects
        errors["registration_failed"] = s.registrationFailed
        registered = s.registered
        registrationFailed = s.registrationFailed
        downloadsStarted = s.downloadsStarted
        downloadsFailed = s.downloadsFailed
        imagesBooted = s.imagesBooted
        rollbacks = s.rollbacks
        bricked = s.bricked
        powerCutsDuringFlash = s.powerCutsDuringFlash
        packetsLost = s.packetsLost
        aclAttempts = s.aclAttempts
        aclRefused = s.aclRefused
        aclAllowed = s.aclAllowed
        self.versions = versions
        self.peakRSSBytes = peakRSSBytes
        self.cpuSeconds = cpuSeconds
        self.reactors = reactors
        fdLimit = budget.softLimit
        deviceCeiling = budget.deviceCeiling
        self.observerReconnects = observerReconnects
        self.timeseries = timeseries
    }

    /// received / sent (1.0 when nothing was sent).
    public var delivery: Double { sent == 0 ? 1 : Double(received) / Double(sent) }

    /// Every expectation held (true when there are none).
    public var passed: Bool { expectations.allSatisfy { $0.passed } }

    /// A few lines for a person at a terminal.
    public func summary() -> String {
        func ms(_ v: Double) -> String { String(printf: "%.2f", v) }
        let errorText = errors.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let plannedTotal = plannedDisconnects.values.reduce(0, +)
        let plannedText = PlannedDisconnect.allCases.compactMap { c -> String? in
            let n = plannedDisconnects[c.key] ?? 0
            return n > 0 ? "\(c.key)=\(n)" : nil
        }
        let disconnectLine = "  disconnects planned \(plannedTotal)" + (plannedText.isEmpty ? "" : " (" + plannedText.joined(separator: " ") + ")")
            + ", unplanned \(errors[FleetErrorKind.disconnected.key] ?? 0) (in errors)"
        let httpLines = HTTPKind.allCases.compactMap { kind -> String? in
            guard let st = http[kind], st.requests > 0 else { return nil }
            let classes = st.statusClasses.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            let failures = st.errors.filter { $0.value > 0 }.sorted { $0.key.key < $1.key.key }.map { "\($0.key.key) \($0.value)" }
            let d = st.durationSummary
            return "  http       \(kind.key) \(st.requests) requests" + (classes.isEmpty ? "" : ", " + classes.joined(separator: ", "))
                + (failures.isEmpty ? "" : ", errors: " + failures.joined(separator: ", "))
                + (d.count > 0 ? ", p50 \(ms(d.p50)) ms p99 \(ms(d.p99)) ms" : "")
        }
        return """
            simfleet run: \(requested) devices on \(brokerURL)\(embedded ? " (embedded)" : ""), \(String(printf: "%.1f", durationSeconds)) s
              devices    connected \(connected)/\(requested), online at end \(onlineAtEnd), never connected \(failed), reconnects \(reconnects)
              heartbeats sent \(sent), received \(received), lost \(lost), unacknowledged \(unacknowledged), delivery \(String(printf: "%.4f", delivery * 100)) %\(foreignMessages + malformedMessages > 0 ? "; ignored: \(foreignMessages) foreign, \(malformedMessages) malformed" : "")
              connect    p50 \(ms(connectLatency.p50)) ms  p99 \(ms(connectLatency.p99)) ms  max \(ms(connectLatency.max)) ms
              end-to-end p50 \(ms(e2eLatency.p50)) ms  p99 \(ms(e2eLatency.p99)) ms  p99.9 \(ms(e2eLatency.p999)) ms  max \(ms(e2eLatency.max)) ms
              errors     \(errorText.isEmpty ? "none" : errorText.joined(separator: " "))
            \(disconnectLine)\(httpLines.isEmpty ? "" : "\n" + httpLines.joined(separator: "\n"))
              simulator  peak RSS \(peakRSSBytes / 1_048_576) MiB, CPU \(String(printf: "%.2f", cpuSeconds)) s, \(reactors) reactors, descriptor ceiling \(deviceCeiling) devices
            """ + backendSummaryLines
    }
}

/// A device that never completed a connect: what went wrong last and how many times it tried.
public struct DeviceFailure: Sendable, Equatable {
    public var device: String
    /// Error kind key (`connect_refused`, `connect_failed`).
    public var error: String
    /// MQTT CONNACK code for refusals (5 = not authorised), libmosquitto code otherwise.
    public var returnCode: Int
    public var attempts: Int
}

/// What portal provisioning did during a run: credentials saved through each device's captive
/// portal over HTTP, saves that never succeeded, and WiFi resets through the local API.
public struct ProvisioningTally: Sendable, Equatable {
    public var saved = 0
    public var failed = 0
    public var wifiResets = 0
    /// Captive-portal checks (a DNS query to the device's responder) answered with the portal's address.
    public var dnsRedirects = 0
    /// What `provision` with `via: idf_softap` did; nil when no such step ran.
    public var idfSoftAP: SoftAPProvisioningTally?
    public init() {}
}

/// What SimFleet's own provisioning client did against ESP-IDF's provisioning service: devices it
/// saw connected, protocomm sessions it established, failures by reason (`proof_mismatch`,
/// `auth_error`, `network_not_found`, `transport`, `timeout`, ...), and the time from its first
/// request to a device to `GetStatus` saying connected.
public struct SoftAPProvisioningTally: Sendable, Equatable {
    public var provisioned = 0
    public var handshakes = 0
    public var failures: [String: Int] = [:]
    public var timeToProvisionedMs: [Double] = []
    public init() {}

    /// The `q` quantile of the times (nearest rank), 0 when there are none.
    public func quantile(_ q: Double) -> Double {
        guard !timeToProvisionedMs.isEmpty else { return 0 }
        let sorted = timeToProvisionedMs.sorted()
        return sorted[min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
    }
}
