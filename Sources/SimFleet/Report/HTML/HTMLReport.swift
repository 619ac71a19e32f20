import DeviceCore
import Foundation

/// Renders a run report as one self-contained HTML page: summary tiles, inline SVG charts
/// (devices online, messages per second, latency histogram, OTA progress per version), latency
/// percentiles, expectations with pass/fail, errors by kind. Opens without a network.
public struct HTMLReport {
    public var report: ReportDocument

    public init(report: ReportDocument) { self.report = report }

    static let palette = ["#4f7cff", "#1f9d55", "#f29e1f", "#d64545", "#8a5cf6", "#12a4b8", "#c2417c", "#6b7a90"]

    public func render() -> String {
        let name = report.value(at: ["scenario"])?.stringValue ?? "simfleet run"
        var html = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        html += "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        html += "<title>" + HTMLText.escape(name) + " · simfleet report</title><style>" + HTMLStyle.css + "</style></head><body><main>"
        html += header(name)
        html += "<section class=\"tiles\">" + tiles() + "</section>"
        html += "<h2>Expectations</h2>" + expectationTable()
        html += "<h2>Over time</h2><section class=\"charts\">" + charts() + "</section>"
        html += "<h2>Latency</h2><section class=\"two\">" + latencyHistogram() + percentileTable() + "</section>"
        html += "<h2>Errors and OTA</h2><section class=\"two\">" + errorTable() + otaTable() + "</section>"
        html += "<footer>simfleet " + HTMLText.escape(report.value(at: ["simfleet_version"])?.stringValue ?? SimFleet.version)
            + " · report format " + number(["format"]) + "</footer>"
        html += "</main></body></html>\n"
        return html
    }

    func header(_ name: String) -> String {
        let badge: String
        switch report.value(at: ["passed"])?.boolValue {
        case true?: badge = "<div class=\"badge pass\">PASSED</div>"
        case false?: badge = "<div class=\"badge fail\">FAILED</div>"
        case nil: badge = "<div class=\"badge none\">NO EXPECTATIONS</div>"
        }
        let broker = report.value(at: ["backend", "broker"])?.stringValue ?? "?"
        let embedded = report.value(at: ["backend", "embedded"])?.boolValue == true ? " (embedded)" : ""
        var meta = "<span>started " + HTMLText.escape(report.value(at: ["started_at"])?.stringValue ?? "?") + "</span>"
        meta += "<span>duration " + seconds(["duration_s"]) + "</span><span>seed " + number(["seed"]) + "</span>"
        meta += "<span>broker " + HTMLText.escape(broker + embedded) + "</span>"
        return "<header><div><h1>" + HTMLText.escape(name) + "</h1><div class=\"meta\">" + meta + "</div></div>" + badge + "</header>"
    }

    func tiles() -> String {
        func tile(_ title: String, _ value: String, _ note: String = "", bad: Bool = false) -> String {
            "<div class=\"tile" + (bad ? " bad" : "") + "\"><small>" + title + "</small><b>" + value + "</b><small>" + note + "</small></div>"
        }
        let requested = report.number(at: ["devices", "requested"]) ?? 0
        let connected = report.number(at: ["devices", "connected"]) ?? 0
        let lost = report.number(at: ["messages", "lost"]) ?? 0
        let delivery = report.number(at: ["messages", "delivery"])
        var out = tile("Devices connected", number(["devices", "connected"]), "of " + number(["devices", "requested"]) + " requested",
                       bad: connected < requested)
        out += tile("Online at end", number(["devices", "online_at_end"]), number(["devices", "failed"]) + " never connected")
        out += tile("Delivery", delivery.map(ValueFormat.percent) ?? "–", number(["messages", "received"]) + " of "
                    + number(["messages", "sent"]) + " received", bad: (delivery ?? 1) < 1)
        out += tile("Lost messages", number(["messages", "lost"]), "QoS 1 acknowledged, never received", bad: lost > 0)
        out += tile("Connect p99", milliseconds(["latency", "connect_ms", "p99"]), "p50 " + milliseconds(["latency", "connect_ms", "p50"]))
        out += tile("End-to-end p99", milliseconds(["latency", "e2e_ms", "p99"]), "p50 " + milliseconds(["latency", "e2e_ms", "p50"]))
        out += tile("Reconnects", number(["reconnects"]))
        if report.value(at: ["ota"]) != nil {
            out += tile("OTA succeeded", number(["ota", "succeeded"]), number(["ota", "failed"]) + " failed, "
                        + number(["ota", "rolled_back"]) + " rolled back")
        } else {
            let errors = report.members(at: ["errors"])
            let total = errors.reduce(0.0) { sum, m in
                if case .number(let n) = m.value { return sum + (Double(n.text) ?? 0) }
                return sum
            }
            let top = errors.compactMap { m -> (String, Double)? in
                guard case .number(let n) = m.value, let v = Double(n.text), v > 0 else { return nil }
                return (m.key, v)
            }.sorted { $0.1 > $1.1 }.prefix(2).map { HTMLText.escape($0.0) + " " + ValueFormat.number($0.1) }
            out += tile("Errors", ValueFormat.number(total), top.joined(separator: " · "), bad: total > 0)
        }
        out += tile("Peak RSS", report.number(at: ["simulator", "peak_rss_bytes"]).map(ValueFormat.bytes) ?? "–",
                    perDevice())
        out += tile("Simulator CPU", seconds(["simulator", "cpu_seconds"]), number(["simulator", "reactors"]) + " reactors")
        return out
    }

    func perDevice() -> String {
        guard let rss = report.number(at: ["simulator", "peak_rss_bytes"]),
              let n = report.number(at: ["devices", "requested"]), n > 0 else { return "" }
        return ValueFormat.bytes(rss / n) + " per device"
    }

    func charts() -> String {
        let t = report.series(at: ["timeseries", "t"]) ?? []
        var out = SVGLineChart(title: "Devices online", xLabel: "seconds", yLabel: "devices", x: t,
                               series: [.init(name: "online", color: Self.palette[0],
                                              values: report.series(at: ["timeseries", "online"]) ?? [])],
                               filled: true).render()
        out += SVGLineChart(title: "Messages per second", xLabel: "seconds", yLabel: "msg/s", x: t,
                            series: [.init(name: "received", color: Self.palette[1],
                                           values: report.series(at: ["timeseries", "messages_per_s"]) ?? [])],
                            filled: true).render()
        let versions = report.members(at: ["timeseries", "versions"]).enumerated().map { i, member in
            SVGLineChart.Series(name: member.key, color: Self.palette[i % Self.palette.count],
                                values: report.series(at: ["timeseries", "versions", member.key]) ?? [])
        }
        out += SVGLineChart(title: "OTA progress: devices per firmware version", xLabel: "seconds", yLabel: "devices",
                            x: t, series: versions).render()
        var trouble: [SVGLineChart.Series] = []
        for (key, name, color) in [("connecting", "connecting", Self.palette[2]), ("errors", "errors (cumulative)", Self.palette[3]),
                                   ("reconnects", "reconnects (cumulative)", Self.palette[4])] {
            if let values = report.series(at: ["timeseries", key]) {
                trouble.append(.init(name: name, color: color, values: values))
            }
        }
        out += SVGLineChart(title: "Connecting devices and errors", xLabel: "seconds", yLabel: "count", x: t,
                            series: trouble).render()
        return out
    }

    func latencyHistogram() -> String {
        guard case .array(let buckets)? = report.value(at: ["latency", "e2e_histogram"]) else {
            return SVGBarChart(title: "End-to-end latency histogram", xLabel: "ms (bucket upper bound)", labels: [], counts: []).render()
        }
        let labels = buckets.map { b -> String in
            guard case .number(let n)? = b["le_ms"], let v = Double(n.text) else { return "?" }
            return ChartScale.label(v)
        }
        let counts = buckets.map { b -> Double in
            guard case .number(let n)? = b["count"] else { return 0 }
            return Double(n.text) ?? 0
        }
        return SVGBarChart(title: "End-to-end latency histogram", xLabel: "ms (bucket upper bound)", labels: labels,
                           counts: counts).render()
    }

    func percentileTable() -> String {
        var rows = ""
        for (name, key) in [("Connect", "connect_ms"), ("End-to-end", "e2e_ms")] {
            rows += "<tr><td>" + name + "</td><td class=\"num\">" + number(["latency", key, "count"]) + "</td>"
            for p in ["p50", "p90", "p99", "p999", "max"] { rows += "<td class=\"num\">" + milliseconds(["latency", key, p]) + "</td>" }
            rows += "</tr>"
        }
        let percentiles = ["p50", "p90", "p99", "p999", "max"]
        let chart = SVGBarChart(title: "End-to-end latency percentiles", xLabel: "percentile (ms)",
                                labels: ["p50", "p90", "p99", "p99.9", "max"],
                                counts: percentiles.map { report.number(at: ["latency", "e2e_ms", $0]) ?? 0 },
                                color: Self.palette[4], height: 190).render()
        return "<div><table><tr><th>latency</th><th class=\"num\">count</th><th class=\"num\">p50</th><th class=\"num\">p90</th>"
            + "<th class=\"num\">p99</th><th class=\"num\">p99.9</th><th class=\"num\">max</th></tr>" + rows + "</table><div style=\"height:12px\"></div>" + chart + "</div>"
    }

    func expectationTable() -> String {
        guard case .array(let items)? = report.value(at: ["expectations"]), !items.isEmpty else {
            return "<p class=\"meta\">This run checked no expectations.</p>"
        }
        var rows = ""
        for item in items {
            let passed = item["passed"]?.boolValue == true
            rows += "<tr><td class=\"" + (passed ? "pass\">✔ pass" : "fail\">✘ fail") + "</td><td><code>"
                + HTMLText.escape(item["expression"]?.stringValue ?? "") + "</code></td><td>"
                + HTMLText.escape(item["measured"]?.stringValue ?? "") + "</td></tr>"
        }
        return "<table><tr><th style=\"width:90px\">result</th><th>expectation</th><th>measured</th></tr>" + rows + "</table>"
    }

    func errorTable() -> String {
        let errors = report.members(at: ["errors"])
        let rows = errors.map { "<tr><td><code>" + HTMLText.escape($0.key) + "</code></td><td class=\"num\">"
            + text($0.value) + "</td></tr>" }.joined()
        return "<div><table><tr><th>error kind</th><th class=\"num\">count</th></tr>"
            + (rows.isEmpty ? "<tr><td colspan=\"2\">none</td></tr>" : rows) + "</table></div>"
    }

    func otaTable() -> String {
        var rows = ""
        for key in ["commands", "started", "succeeded", "failed", "rolled_back", "corrupted_downloads"] {
            rows += "<tr><td>" + key.replacingOccurrences(of: "_", with: " ") + "</td><td class=\"num\">" + number(["ota", key]) + "</td></tr>"
        }
        for member in report.members(at: ["ota", "refused"]) {
            rows += "<tr><td>refused: <code>" + HTMLText.escape(member.key) + "</code></td><td class=\"num\">" + text(member.value) + "</td></tr>"
        }
        for member in report.members(at: ["fleet", "version"]) {
            rows += "<tr><td>running <code>" + HTMLText.escape(member.key) + "</code> at end</td><td class=\"num\">"
                + text(member.value) + "</td></tr>"
        }
        return "<div><table><tr><th>OTA</th><th class=\"num\">count</th></tr>" + rows + "</table></div>"
    }

    func text(_ value: JSONValue) -> String {
        if case .number(let n) = value { return Double(n.text).map(ValueFormat.number) ?? HTMLText.escape(n.text) }
        return HTMLText.escape(value.stringValue ?? "–")
    }

    func number(_ path: [String]) -> String { report.number(at: path).map(ValueFormat.number) ?? "–" }
    func milliseconds(_ path: [String]) -> String { report.number(at: path).map(ValueFormat.milliseconds) ?? "–" }
    func seconds(_ path: [String]) -> String {
        report.number(at: path).map { ValueFormat.number(($0 * 10).rounded() / 10) + " s" } ?? "–"
    }
}
