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
    public var reconnects: Int
    public var connectLatency: LatencySummary
    public var e2eLatency: LatencySummary
    public var e2eHistogram: [(leMs: Double, count: Int)]
    public var errors: [String: Int]
    public var versions: [String: Int]
    public var peakRSSBytes: Int
    public var cpuSeconds: Double
    public var reactors: Int
    public var fdLimit: Int
    public var deviceCeiling: Int
    public var observerReconnects: Int
    public var timeseries: Timeseries
    /// What the embedded firmware origin served and which faults it injected.
    public var originStats: OriginStats?
    public var registered: Int
    public var registrationFailed: Int
    public var downloadsStarted: Int
    public var downloadsFailed: Int
    /// Boots into a new image, rollbacks by the bootloader, devices with nothing bootable.
    public var imagesBooted: Int
    public var rollbacks: Int
    public var bricked: Int
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
    /// Filled by the scenario engine.
    public var expectations: [(expression: String, passed: Bool, measured: String)] = []

    init(configuration: FleetConfiguration, startedAt: Date, durationSeconds: Double, brokerURL: String, embedded: Bool,
         snapshot s: FleetSnapshot, lost: Int, lostDetail: [(device: String, seq: Int)], unacknowledged: Int,
         connectLatency: LatencyRecorder, e2eLatency: LatencyRecorder, versions: [String: Int], peakRSSBytes: Int,
         cpuSeconds: Double, reactors: Int, budget: DescriptorBudget, observerReconnects: Int, timeseries: Timeseries) {
        self.configuration = configuration
        self.startedAt = startedAt
        self.durationSeconds = durationSeconds
        self.brokerURL = brokerURL
        self.embedded = embedded
        requested = configuration.devices
        connected = s.everConnected
        onlineAtEnd = s.online
        failed = configuration.devices - s.everConnected
        sent = s.sent
        received = s.received
        self.lost = lost
        self.lostDetail = lostDetail
        self.unacknowledged = unacknowledged
        reconnects = s.reconnects
        self.connectLatency = connectLatency.summary
        self.e2eLatency = e2eLatency.summary
        e2eHistogram = e2eLatency.buckets(boundsMs: [0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000])
        errors = s.errors
        errors["registration_failed"] = s.registrationFailed
        registered = s.registered
        registrationFailed = s.registrationFailed
        downloadsStarted = s.downloadsStarted
        downloadsFailed = s.downloadsFailed
        imagesBooted = s.imagesBooted
        rollbacks = s.rollbacks
        bricked = s.bricked
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

    /// The report as JSON text (format 1).
    public func json() -> String {
        func latency(_ l: LatencySummary) -> ReportJSON {
            .object([("count", .int(l.count)), ("p50", .double(l.p50)), ("p90", .double(l.p90)), ("p99", .double(l.p99)),
                     ("p999", .double(l.p999)), ("max", .double(l.max))])
        }
        let iso = ISO8601DateFormatter()
        let c = configuration
        let ts = timeseries
        let backend: ReportJSON = .object([
            ("broker", .string(brokerURL)), ("embedded", .bool(embedded)), ("api", c.api.map { .string($0) } ?? .null),
        ])
        let shape: ReportJSON = .object([
            ("chip", .string(c.chip.idPrefix)), ("firmware_version", .string(c.firmwareVersion)),
            ("heartbeat_ms", .int(Int(c.heartbeatMs))), ("qos", .int(c.qos)), ("ramp_per_s", .double(c.rampPerSecond)),
            ("provisioned", .bool(c.provisioned)),
        ])
        let devices: ReportJSON = .object([
            ("requested", .int(requested)), ("connected", .int(connected)), ("online_at_end", .int(onlineAtEnd)),
            ("failed", .int(failed)),
            ("failed_detail", .array(failures.map {
                .object([("device", .string($0.device)), ("error", .string($0.error)), ("return_code", .int($0.returnCode)),
                         ("attempts", .int($0.attempts))])
            })),
        ])
        let lostItems: [ReportJSON] = lostDetail.map { .object([("device", .string($0.device)), ("seq", .int($0.seq))]) }
        let messages: ReportJSON = .object([
            ("sent", .int(sent)), ("received", .int(received)), ("lost", .int(lost)), ("unacknowledged", .int(unacknowledged)),
            ("delivery", .double(delivery)), ("lost_detail", .array(lostItems)),
        ])
        let buckets: [ReportJSON] = e2eHistogram.map { .object([("le_ms", .double($0.leMs)), ("count", .int($0.count))]) }
        let latencies: ReportJSON = .object([
            ("connect_ms", latency(connectLatency)), ("e2e_ms", latency(e2eLatency)), ("e2e_histogram", .array(buckets)),
        ])
        let errorItems: [(String, ReportJSON)] = errors.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) }
        let versionItems: [(String, ReportJSON)] = versions.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) }
        let fleet: ReportJSON = .object([
            ("version", .object(versionItems)),
            ("state", .object([("online", .int(onlineAtEnd)), ("offline", .int(max(0, requested - onlineAtEnd)))])),
        ])
        let simulator: ReportJSON = .object([
            ("peak_rss_bytes", .int(peakRSSBytes)), ("cpu_seconds", .double(cpuSeconds)), ("reactors", .int(reactors)),
            ("fd_limit", .int(fdLimit)), ("device_ceiling", .int(deviceCeiling)),
            ("observer_reconnects", .int(observerReconnects)),
            ("connect_all_s", connectAllSeconds.map { .double($0) } ?? .null),
            ("steady_cpu_seconds", steadyCPUSeconds.map { .double($0) } ?? .null),
            ("steady_heartbeats", steadyHeartbeats.map { .int($0) } ?? .null),
        ])
        func ints(_ a: [Int]) -> ReportJSON { .array(a.map { .int($0) }) }
        let seriesVersions: [(String, ReportJSON)] = ts.versions.sorted { $0.key < $1.key }.map { ($0.key, ints($0.value)) }
        let series: ReportJSON = .object([
            ("interval_s", .int(1)), ("t", ints(ts.t)), ("online", ints(ts.online)), ("connecting", ints(ts.connecting)),
            ("messages_per_s", ints(ts.messagesPerSecond)), ("errors", ints(ts.errors)), ("versions", .object(seriesVersions)),
        ])
        let expectationItems: [ReportJSON] = expectations.map {
            .object([("expression", .string($0.expression)), ("passed", .bool($0.passed)), ("measured", .string($0.measured))])
        }
        let o = originStats ?? OriginStats()
        let ota: ReportJSON = .object([
            ("downloads_started", .int(downloadsStarted)), ("downloads_failed", .int(downloadsFailed)),
            ("corrupted_downloads", .int(o.corrupted)), ("truncated_downloads", .int(o.truncated)),
            ("dropped_downloads", .int(o.dropped)),
            ("images_booted", .int(imagesBooted)), ("rollbacks", .int(rollbacks)), ("bricked", .int(bricked)),
            ("origin", .object([("requests", .int(o.requests)), ("range_requests", .int(o.rangeResponses)),
                                ("bytes_served", .int(o.bytesServed)), ("not_found", .int(o.notFound))])),
        ])
        let acl: ReportJSON = .object([("attempts", .int(aclAttempts)), ("refused", .int(aclRefused)), ("allowed", .int(aclAllowed))])
        let registration: ReportJSON = .object([("registered", .int(registered)), ("failed", .int(registrationFailed))])
        var members: [(String, ReportJSON)] = []
        members.append(("format", .int(1)))
        members.append(("simfleet_version", .string(SimFleet.version)))
        members.append(("scenario", c.scenarioName.map { .string($0) } ?? .null))
        members.append(("seed", .int(Int(truncatingIfNeeded: c.seed))))
        members.append(("started_at", .string(iso.string(from: startedAt))))
        members.append(("duration_s", .double(durationSeconds)))
        members.append(("backend", backend))
        members.append(("fleet_shape", shape))
        members.append(("devices", devices))
        members.append(("messages", messages))
        members.append(("reconnects", .int(reconnects)))
        members.append(("latency", latencies))
        members.append(("errors", .object(errorItems)))
        members.append(("ota", ota))
        members.append(("fleet", fleet))
        members.append(("acl", acl))
        members.append(("registration", registration))
        members.append(("simulator", simulator))
        members.append(("timeseries", series))
        members.append(("expectations", .array(expectationItems)))
        members.append(("passed", .bool(passed)))
        let doc = ReportJSON.object(members)
        return doc.encoded() + "\n"
    }

    /// A few lines for a person at a terminal.
    public func summary() -> String {
        func ms(_ v: Double) -> String { String(format: "%.2f", v) }
        let errorText = errors.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        return """
            simfleet run: \(requested) devices on \(brokerURL)\(embedded ? " (embedded)" : ""), \(String(format: "%.1f", durationSeconds)) s
              devices    connected \(connected)/\(requested), online at end \(onlineAtEnd), never connected \(failed), reconnects \(reconnects)
              heartbeats sent \(sent), received \(received), lost \(lost), unacknowledged \(unacknowledged), delivery \(String(format: "%.4f", delivery * 100)) %
              connect    p50 \(ms(connectLatency.p50)) ms  p99 \(ms(connectLatency.p99)) ms  max \(ms(connectLatency.max)) ms
              end-to-end p50 \(ms(e2eLatency.p50)) ms  p99 \(ms(e2eLatency.p99)) ms  p99.9 \(ms(e2eLatency.p999)) ms  max \(ms(e2eLatency.max)) ms
              errors     \(errorText.isEmpty ? "none" : errorText.joined(separator: " "))
              simulator  peak RSS \(peakRSSBytes / 1_048_576) MiB, CPU \(String(format: "%.2f", cpuSeconds)) s, \(reactors) reactors, descriptor ceiling \(deviceCeiling) devices
            """
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
