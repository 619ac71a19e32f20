/// One kind of device HTTP request over a run, as k6 reports `http_req_*`: requests, status codes
/// and classes, transport errors by kind, latency (time to first byte and total) and bytes.
/// Owned by one reactor thread; reactors' stats are merged for the report.
public struct HTTPStats: Sendable {
    /// Requests that ended: answered, failed or abandoned (a redirect followed is not another one).
    public var requests = 0
    /// Final status codes of requests whose status line arrived (also when the body then failed).
    public var statuses: [Int: Int] = [:]
    /// Requests that ended in a transport error, by kind.
    public var errors: [HTTPTransportError: Int] = [:]
    /// Of answered requests (a status line arrived): start to first byte, and start to end.
    var ttfb = LatencyRecorder()
    var duration = LatencyRecorder()
    public var bytesReceived = 0
    public var bytesSent = 0
    public var redirects = 0
    /// Registration only: attempts after a first one failed (5xx or transport error).
    public var retries = 0

    public init() {}

    mutating func record(_ e: HTTPExchange) {
        requests += 1
        if e.status > 0 {
            statuses[e.status, default: 0] += 1
            ttfb.record(microseconds: e.ttfbMicros)
            duration.record(microseconds: e.totalMicros)
        }
        if let error = e.error { errors[error, default: 0] += 1 }
        bytesReceived += e.bytesIn
        bytesSent += e.bytesOut
        redirects += e.redirects
    }

    mutating func merge(_ o: HTTPStats) {
        requests += o.requests
        for (k, n) in o.statuses { statuses[k, default: 0] += n }
        for (k, n) in o.errors { errors[k, default: 0] += n }
        ttfb.merge(o.ttfb)
        duration.merge(o.duration)
        bytesReceived += o.bytesReceived
        bytesSent += o.bytesSent
        redirects += o.redirects
        retries += o.retries
    }

    /// Status counts by class (`1xx` … `5xx`), every class present.
    public var statusClasses: [String: Int] {
        var out: [String: Int] = ["1xx": 0, "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0]
        for (code, n) in statuses where (100..<600).contains(code) { out[String(code / 100) + "xx", default: 0] += n }
        return out
    }

    public var ttfbSummary: LatencySummary { ttfb.summary }
    public var durationSummary: LatencySummary { duration.summary }

    /// The counts without the histograms: cheap to copy once a second for live metrics.
    var counts: HTTPCounts {
        HTTPCounts(requests: requests, statuses: statuses, errors: errors, bytesReceived: bytesReceived, bytesSent: bytesSent)
    }
}

/// `HTTPStats` without its histograms, for the live `/metrics` (copied once a second).
public struct HTTPCounts: Sendable, Equatable {
    public var requests = 0
    public var statuses: [Int: Int] = [:]
    public var errors: [HTTPTransportError: Int] = [:]
    public var bytesReceived = 0
    public var bytesSent = 0

    mutating func add(_ o: HTTPCounts) {
        requests += o.requests
        for (k, n) in o.statuses { statuses[k, default: 0] += n }
        for (k, n) in o.errors { errors[k, default: 0] += n }
        bytesReceived += o.bytesReceived
        bytesSent += o.bytesSent
    }
}

/// One reactor's HTTP accounting, by kind (reactor thread only). Stats exist from a kind's first
/// request: most runs make none, and each holds two latency histograms.
final class HTTPAccounting {
    private(set) var stats: [HTTPKind: HTTPStats] = [:]
    /// Latencies recorded since the live metrics last took them; nil when no one watches.
    var live: LiveLatencySamples?

    func record(_ kind: HTTPKind, _ exchange: HTTPExchange) {
        stats[kind, default: HTTPStats()].record(exchange)
        if exchange.status > 0 { live?.http(kind, ttfb: exchange.ttfbMicros, total: exchange.totalMicros) }
    }

    func countRetry(_ kind: HTTPKind) { stats[kind, default: HTTPStats()].retries += 1 }

    var counts: [HTTPKind: HTTPCounts] { stats.mapValues(\.counts) }
}
