/// Latencies recorded on one reactor thread since the live `/metrics` last took them, in µs, so
/// the Prometheus histograms are fed by the running fleet (connects, heartbeats reaching the
/// observer, device HTTP requests). Exists only while someone serves `/metrics`; appending is the
/// whole cost on the hot path, and the sampler swaps the buffers out once a second.
final class LiveLatencySamples {
    var connect: [Int64] = []
    var e2e: [Int64] = []
    var httpTTFB: [HTTPKind: [Int64]] = [:]
    var httpTotal: [HTTPKind: [Int64]] = [:]

    func http(_ kind: HTTPKind, ttfb: Int64, total: Int64) {
        httpTTFB[kind, default: []].append(ttfb)
        httpTotal[kind, default: []].append(total)
    }

    /// Everything recorded so far; the buffers start empty again.
    func take() -> LatencyBatch {
        let batch = LatencyBatch(connect: connect, e2e: e2e, httpTTFB: httpTTFB, httpTotal: httpTotal)
        connect = []
        e2e = []
        httpTTFB = [:]
        httpTotal = [:]
        return batch
    }
}

/// Latencies (µs) recorded across the fleet in one sampling interval, for `FleetMetrics.record`.
public struct LatencyBatch: Sendable {
    public var connect: [Int64] = []
    public var e2e: [Int64] = []
    public var httpTTFB: [HTTPKind: [Int64]] = [:]
    public var httpTotal: [HTTPKind: [Int64]] = [:]

    public init() {}

    init(connect: [Int64], e2e: [Int64], httpTTFB: [HTTPKind: [Int64]], httpTotal: [HTTPKind: [Int64]]) {
        self.connect = connect
        self.e2e = e2e
        self.httpTTFB = httpTTFB
        self.httpTotal = httpTotal
    }

    mutating func add(_ o: LatencyBatch) {
        connect += o.connect
        e2e += o.e2e
        for (k, v) in o.httpTTFB { httpTTFB[k, default: []] += v }
        for (k, v) in o.httpTotal { httpTotal[k, default: []] += v }
    }
}
