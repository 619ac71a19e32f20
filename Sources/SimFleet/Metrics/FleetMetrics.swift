import Foundation
import NIOConcurrencyHelpers
import Prometheus

/// The live figures of a run as Prometheus metrics (swift-prometheus), so a Grafana dashboard can
/// watch a run: devices online, messages sent/received/lost, reconnects, OTA outcomes, latencies.
/// Counters follow the run's totals through `update`, which only ever adds the difference.
public final class FleetMetrics: @unchecked Sendable {
    public let registry = PrometheusCollectorRegistry()

    let devicesRequested: Gauge
    let devicesOnline: Gauge
    let devicesConnected: Gauge
    let sent: Counter
    let received: Counter
    let lost: Counter
    let reconnects: Counter
    let connectLatency: ValueHistogram
    let e2eLatency: ValueHistogram
    private let lock = NIOLock()
    private var last: [String: Int] = [:]

    /// Latency buckets in seconds, 0.5 ms to 10 s.
    public static let latencyBuckets: [Double] = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10]

    /// `simfleet_<name>_<unit>` with its help text.
    static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "simfleet", metricName: metric, unitName: unit, helpText: help)
    }

    public init() {
        devicesRequested = registry.makeGauge(descriptor: Self.name("devices", "requested", "Devices the run asked for."))
        devicesOnline = registry.makeGauge(descriptor: Self.name("devices", "online", "Devices with an MQTT session now."))
        devicesConnected = registry.makeGauge(descriptor: Self.name(
            "devices", "connected", "Devices that completed an MQTT CONNECT at least once."))
        sent = registry.makeCounter(descriptor: Self.name("messages_sent", "total", "Heartbeats the devices published."))
        received = registry.makeCounter(descriptor: Self.name("messages_received", "total", "Heartbeats the observer received."))
        lost = registry.makeCounter(descriptor: Self.name("messages_lost", "total", "QoS 1 heartbeats acknowledged by the broker and never received."))
        reconnects = registry.makeCounter(descriptor: Self.name("reconnects", "total", "MQTT reconnections after a first successful connect."))
        connectLatency = registry.makeValueHistogram(descriptor: Self.name("connect_latency", "seconds", "Power-on to CONNACK."), buckets: Self.latencyBuckets)
        e2eLatency = registry.makeValueHistogram(descriptor: Self.name("e2e_latency", "seconds", "Heartbeat publish timestamp to receipt by the observer."), buckets: Self.latencyBuckets)
    }

    /// Live totals of a run, as the runtime's snapshot gives them.
    public struct Totals: Equatable, Sendable {
        public var requested = 0, connected = 0, online = 0
        public var sent = 0, received = 0, lost = 0, reconnects = 0
        /// OTA outcomes by name (`succeeded`, `failed`, `rolled_back`, `refused`).
        public var ota: [String: Int] = [:]
        /// Errors by kind (`connect_refused`, …).
        public var errors: [String: Int] = [:]

        /// `simfleet_<name>_<unit>` with its help text.
    static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "simfleet", metricName: metric, unitName: unit, helpText: help)
    }

    public init() {}
    }

    /// Sets gauges and advances counters to the new totals (totals never go down; a smaller value is ignored).
    public func update(_ totals: Totals) {
        lock.lock()
        defer { lock.unlock() }
        devicesRequested.set(Double(totals.requested))
        devicesOnline.set(Double(totals.online))
        devicesConnected.set(Double(totals.connected))
        advance(sent, "sent", totals.sent)
        advance(received, "received", totals.received)
        advance(lost, "lost", totals.lost)
        advance(reconnects, "reconnects", totals.reconnects)
        for (outcome, n) in totals.ota.sorted(by: { $0.key < $1.key }) {
            advance(registry.makeCounter(descriptor: Self.name("ota_outcomes", "total", "OTA updates by outcome."), labels: [("outcome", outcome)]), "ota." + outcome, n)
        }
        for (kind, n) in totals.errors.sorted(by: { $0.key < $1.key }) {
            advance(registry.makeCounter(descriptor: Self.name("errors", "total", "Errors by kind."), labels: [("kind", kind)]), "errors." + kind, n)
        }
    }

    private func advance(_ counter: Counter, _ key: String, _ total: Int) {
        let delta = total - last[key, default: 0]
        guard delta > 0 else { return }
        counter.increment(by: Int64(delta))
        last[key] = total
    }

    public func recordConnectLatency(milliseconds: Double) { connectLatency.record(milliseconds / 1000) }
    public func recordE2ELatency(milliseconds: Double) { e2eLatency.record(milliseconds / 1000) }

    /// Feeds the latency histograms with what the fleet recorded in one sampling interval (µs).
    public func record(_ batch: LatencyBatch) {
        lock.lock()
        defer { lock.unlock() }
        for v in batch.connect { connectLatency.record(Double(max(0, v)) / 1e6) }
        for v in batch.e2e { e2eLatency.record(Double(max(0, v)) / 1e6) }
        for (kind, values) in batch.httpTotal.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let h = httpHistogram("http_request_duration", "Device HTTP requests: start to end of the answer.", kind)
            for v in values { h.record(Double(max(0, v)) / 1e6) }
        }
        for (kind, values) in batch.httpTTFB.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let h = httpHistogram("http_ttfb", "Device HTTP requests: start to the first byte of the answer.", kind)
            for v in values { h.record(Double(max(0, v)) / 1e6) }
        }
    }

    /// Advances the device HTTP counters (requests, answers by code, transport errors, bytes) and the
    /// planned disconnects to the run's totals.
    public func update(http: [HTTPKind: HTTPCounts], plannedDisconnects: [String: Int]) {
        lock.lock()
        defer { lock.unlock() }
        for (cause, n) in plannedDisconnects.sorted(by: { $0.key < $1.key }) {
            advance(registry.makeCounter(descriptor: Self.name("planned_disconnects", "total",
                                                               "MQTT sessions devices ended on purpose (restarts, injected power faults), by cause."),
                                         labels: [("cause", cause)]), "planned." + cause, n)
        }
        for (kind, c) in http.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let k = kind.key
            advance(registry.makeCounter(descriptor: Self.name("http_requests", "total", "Device HTTP requests that ended, by kind."),
                                         labels: [("kind", k)]), "http.\(k).requests", c.requests)
            for (code, n) in c.statuses.sorted(by: { $0.key < $1.key }) {
                advance(registry.makeCounter(descriptor: Self.name("http_responses", "total", "Device HTTP answers by kind and status code."),
                                             labels: [("kind", k), ("code", String(code))]), "http.\(k).code.\(code)", n)
            }
            for (error, n) in c.errors.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                advance(registry.makeCounter(descriptor: Self.name("http_errors", "total", "Device HTTP requests ended by a transport error, by kind and error."),
                                             labels: [("kind", k), ("error", error.key)]), "http.\(k).error.\(error.key)", n)
            }
            advance(registry.makeCounter(descriptor: Self.name("http_received_bytes", "total", "Bytes of device HTTP answers (headers and body)."),
                                         labels: [("kind", k)]), "http.\(k).in", c.bytesReceived)
            advance(registry.makeCounter(descriptor: Self.name("http_sent_bytes", "total", "Bytes of device HTTP requests (headers and body)."),
                                         labels: [("kind", k)]), "http.\(k).out", c.bytesSent)
        }
    }

    private func httpHistogram(_ metric: String, _ help: String, _ kind: HTTPKind) -> ValueHistogram {
        registry.makeValueHistogram(descriptor: Self.name(metric, "seconds", help), labels: [("kind", kind.key)],
                                    buckets: Self.latencyBuckets)
    }

    /// The Prometheus text exposition of every metric.
    public func exposition() -> [UInt8] { registry.emitToBuffer() }
}
