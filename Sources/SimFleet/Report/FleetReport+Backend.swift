import Foundation

/// The report sections about the backend's own shape: the topic layout, the telemetry streams and
/// the devices' web servers (docs/report-format.md: `topics`, `telemetry`, `device_http`).
extension FleetReport {
    /// `{"status": "device/{id}/status", "ota": …, "logs": …}`.
    var topicsJSON: ReportJSON {
        .object([("status", .string(topics.status.text)), ("ota", .string(topics.ota.text)), ("logs", .string(topics.logs.text))])
    }

    /// `{"<stream>": {"topic", "group", "qos", "every_ms", "sent", "acknowledged", "received", "lost", …}}`.
    var telemetryJSON: ReportJSON {
        .object(telemetry.map { t in
            let e = t.e2e
            return (t.name, .object([
                ("topic", .string(t.topic)), ("group", t.group.map { .string($0) } ?? .null), ("qos", .int(t.qos)),
                ("every_ms", .int(Int(t.everyMs))), ("sent", .int(t.sent)), ("acknowledged", .int(t.acknowledged)),
                ("received", .int(t.received)), ("lost", .int(t.lost)), ("unacknowledged", .int(t.unacknowledged)),
                ("duplicates", .int(t.duplicates)), ("malformed", .int(t.malformed)), ("delivery", .double(t.delivery)),
                ("e2e_ms", .object([("count", .int(e.count)), ("p50", .double(e.p50)), ("p90", .double(e.p90)), ("p99", .double(e.p99)),
                                    ("p999", .double(e.p999)), ("max", .double(e.max))])),
                ("lost_detail", .array(t.lostDetail.map { .object([("device", .string($0.device)), ("seq", .int($0.seq))]) })),
            ]))
        })
    }

    /// `{"port", "addresses", "first", "requests": {"/update": {"202": 5}}, "served", "bind_failures"}`, or null.
    var deviceHTTPJSON: ReportJSON {
        guard let d = deviceHTTP else { return .null }
        let requests: [(String, ReportJSON)] = d.requests.sorted { $0.key < $1.key }.map { endpoint, byStatus in
            (endpoint, .object(byStatus.sorted { $0.key < $1.key }.map { (String($0.key), .int($0.value)) }))
        }
        let served = d.requests.values.reduce(0) { $0 + $1.values.reduce(0, +) }
        return .object([("port", .int(d.port)), ("addresses", .string(d.addressPattern)), ("first", d.first.map { .string($0) } ?? .null),
                        ("served", .int(served)), ("requests", .object(requests)), ("bind_failures", .int(d.bindFailures))])
    }

    /// One line per telemetry stream and one for the web servers, for `summary()`.
    var backendSummaryLines: String {
        var lines: [String] = []
        for t in telemetry {
            lines.append("  telemetry  " + t.name + ": sent \(t.sent), received \(t.received), lost \(t.lost), delivery "
                         + String(printf: "%.4f", t.delivery * 100) + " %, e2e p99 " + String(printf: "%.2f", t.e2e.p99) + " ms")
        }
        if let d = deviceHTTP {
            let served = d.requests.values.reduce(0) { $0 + $1.values.reduce(0, +) }
            lines.append("  device web " + (d.first ?? "") + "… (" + d.addressPattern.prefix { $0 != ";" } + "), \(served) requests served")
        }
        if let rejected = otaOutcomes?.rejectedCommands, rejected > 0 {
            lines.append("  ota        \(rejected) command" + (rejected == 1 ? "" : "s") + " rejected by the devices as unreadable (ota.rejected_commands)")
        }
        return lines.isEmpty ? "" : "\n" + lines.joined(separator: "\n")
    }
}
