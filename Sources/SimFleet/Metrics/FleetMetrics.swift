import Foundation
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
    private let lock = NSLock()
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

    /// The Prometheus text exposition of every metric.
    public func exposition() -> [UInt8] { registry.emitToBuffer() }
}
