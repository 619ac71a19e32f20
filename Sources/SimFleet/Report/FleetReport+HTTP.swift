/// The report's `http` and `planned_disconnects` sections (docs/report-format.md).
extension FleetReport {
    /// `{"total", "ota_reboot", "restart", "power_cycle", "power_cut"}`, every cause present.
    var plannedDisconnectsJSON: ReportJSON {
        var items: [(String, ReportJSON)] = [("total", .int(plannedDisconnects.values.reduce(0, +)))]
        for cause in PlannedDisconnect.allCases { items.append((cause.key, .int(plannedDisconnects[cause.key] ?? 0))) }
        return .object(items)
    }

    /// `{"register": …, "manifest": …, "firmware": …}`, each kind present (zeros when unused).
    var httpJSON: ReportJSON {
        .object(HTTPKind.allCases.map { ($0.key, FleetReport.json(http[$0] ?? HTTPStats())) })
    }

    static func json(_ s: HTTPStats) -> ReportJSON {
        func latency(_ l: LatencySummary) -> ReportJSON {
            .object([("count", .int(l.count)), ("p50", .double(l.p50)), ("p90", .double(l.p90)), ("p99", .double(l.p99)),
                     ("p999", .double(l.p999)), ("max", .double(l.max))])
        }
        // Classes first (always all five), then the codes seen, in order.
        var status: [(String, ReportJSON)] = s.statusClasses.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) }
        status += s.statuses.sorted { $0.key < $1.key }.map { (String($0.key), .int($0.value)) }
        let errors: [(String, ReportJSON)] = HTTPTransportError.allCases.map { ($0.key, .int(s.errors[$0] ?? 0)) }
        return .object([
            ("requests", .int(s.requests)), ("retries", .int(s.retries)), ("redirects", .int(s.redirects)),
            ("status", .object(status)), ("errors", .object(errors)),
            ("latency", latency(s.durationSummary)), ("ttfb", latency(s.ttfbSummary)),
            ("bytes_received", .int(s.bytesReceived)), ("bytes_sent", .int(s.bytesSent)),
            // The histograms themselves (HdrHistogram's compressed encoding), so that shard reports
            // merge into the whole run's percentiles (`simfleet merge`).
            ("hdr", .object([("latency", .string(s.duration.encoded)), ("ttfb", .string(s.ttfb.encoded))])),
        ])
    }
}
