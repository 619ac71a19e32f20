import DeviceCore

/// The report's device HTTP section (registration, manifest, firmware: answers, errors, latency)
/// and its planned disconnects, which are shown apart from errors.
extension HTMLReport {
    /// Kinds with at least one request, in report order.
    var httpKinds: [String] {
        report.members(at: ["http"]).map(\.key).filter { (report.number(at: ["http", $0, "requests"]) ?? 0) > 0 }
    }

    /// A table (requests, status classes, transport errors, latency, bytes per kind) and a latency
    /// chart per kind; empty when the devices made no HTTP request.
    func httpSection() -> String {
        let kinds = httpKinds
        guard !kinds.isEmpty else { return "" }
        var rows = ""
        for kind in kinds {
            let errors = report.members(at: ["http", kind, "errors"]).compactMap { m -> String? in
                guard case .number(let n) = m.value, let v = Double(n.text), v > 0 else { return nil }
                return HTMLText.escape(m.key) + " " + ValueFormat.number(v)
            }
            rows += "<tr><td><code>" + HTMLText.escape(kind) + "</code></td><td class=\"num\">" + number(["http", kind, "requests"]) + "</td>"
            for c in ["2xx", "3xx", "4xx", "5xx"] { rows += "<td class=\"num\">" + number(["http", kind, "status", c]) + "</td>" }
            rows += "<td>" + (errors.isEmpty ? "none" : errors.joined(separator: ", ")) + "</td>"
            rows += "<td class=\"num\">" + milliseconds(["http", kind, "ttfb", "p99"]) + "</td>"
            for p in ["p50", "p99", "max"] { rows += "<td class=\"num\">" + milliseconds(["http", kind, "latency", p]) + "</td>" }
            rows += "<td class=\"num\">" + (report.number(at: ["http", kind, "bytes_received"]).map(ValueFormat.bytes) ?? "–") + "</td></tr>"
        }
        let table = "<table><tr><th>request</th><th class=\"num\">requests</th><th class=\"num\">2xx</th><th class=\"num\">3xx</th>"
            + "<th class=\"num\">4xx</th><th class=\"num\">5xx</th><th>transport errors</th><th class=\"num\">TTFB p99</th>"
            + "<th class=\"num\">p50</th><th class=\"num\">p99</th><th class=\"num\">max</th><th class=\"num\">received</th></tr>"
            + rows + "</table>"
        let percentiles = ["p50", "p90", "p99", "p999", "max"]
        let charts = kinds.enumerated().map { i, kind in
            SVGBarChart(title: kind + " latency (start to end)", xLabel: "percentile (ms)",
                        labels: ["p50", "p90", "p99", "p99.9", "max"],
                        counts: percentiles.map { report.number(at: ["http", kind, "latency", $0]) ?? 0 },
                        color: Self.palette[(i + 5) % Self.palette.count], height: 190).render()
        }.joined()
        return "<h2>Device HTTP requests</h2>" + table + "<div style=\"height:12px\"></div><section class=\"charts\">" + charts + "</section>"
    }

    /// Rows for the errors table: planned disconnects, which are not errors.
    func plannedDisconnectRows() -> String {
        report.members(at: ["planned_disconnects"]).filter { $0.key != "total" }.map {
            "<tr><td>planned: <code>" + HTMLText.escape($0.key) + "</code> (not an error)</td><td class=\"num\">" + text($0.value) + "</td></tr>"
        }.joined()
    }
}
