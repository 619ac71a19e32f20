import DeviceCore
import Foundation

/// The report's charts and tables: time series, latency, expectations, errors and OTA.
extension HTMLReport {
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
                                   ("reconnects", "reconnects (cumulative)", Self.palette[4]),
                                   ("planned_disconnects", "planned disconnects (cumulative, not errors)", Self.palette[7])] {
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
            + (rows.isEmpty ? "<tr><td colspan=\"2\">none</td></tr>" : rows) + plannedDisconnectRows() + "</table></div>"
    }

    func otaTable() -> String {
        var rows = ""
        // Every count the report has, in its order (the runtime adds figures as it learns them).
        for member in report.members(at: ["ota"]) {
            guard case .number = member.value else { continue }
            rows += "<tr><td>" + HTMLText.escape(String(member.key.map { $0 == "_" ? " " : $0 })) + "</td><td class=\"num\">"
                + text(member.value) + "</td></tr>"
        }
        for member in report.members(at: ["acl"]) {
            guard case .number = member.value else { continue }
            rows += "<tr><td>ACL probes " + HTMLText.escape(member.key) + "</td><td class=\"num\">" + text(member.value) + "</td></tr>"
        }
        for member in report.members(at: ["ota", "refused"]) {
            rows += "<tr><td>refused: <code>" + HTMLText.escape(member.key) + "</code></td><td class=\"num\">" + text(member.value) + "</td></tr>"
        }
        for member in report.members(at: ["fleet", "version"]) {
            rows += "<tr><td>running <code>" + HTMLText.escape(member.key) + "</code> at end</td><td class=\"num\">"
                + text(member.value) + "</td></tr>"
        }
        return "<div><table><tr><th>OTA, ACL and versions</th><th class=\"num\">count</th></tr>"
            + (rows.isEmpty ? "<tr><td colspan=\"2\">none</td></tr>" : rows) + "</table></div>"
    }
}
