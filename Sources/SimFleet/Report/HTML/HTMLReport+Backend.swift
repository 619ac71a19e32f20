import DeviceCore

/// The backend's own shape in the HTML report: the topic layout, a table per telemetry stream
/// (delivery and end-to-end latency, as for heartbeats), and what the devices' web servers answered.
extension HTMLReport {
    /// Empty when the run had the default layout, no telemetry and no device web servers.
    func backendShape() -> String {
        let streams = report.members(at: ["telemetry"])
        let web = report.members(at: ["device_http"])
        let status = report.value(at: ["topics", "status"])?.stringValue
        guard !streams.isEmpty || !web.isEmpty || (status != nil && status != TopicLayout.default.status.text) else { return "" }
        var out = "<h2>Topics, telemetry and device web servers</h2>"
        if let status {
            out += "<p>Topics: status <code>" + HTMLText.escape(status) + "</code>, commands <code>"
                + HTMLText.escape(report.value(at: ["topics", "ota"])?.stringValue ?? "") + "</code>, logs <code>"
                + HTMLText.escape(report.value(at: ["topics", "logs"])?.stringValue ?? "") + "</code></p>"
        }
        if !streams.isEmpty { out += telemetryTable(streams) }
        if !web.isEmpty { out += deviceHTTPTable() }
        return out
    }

    private func telemetryTable(_ streams: [JSONMember]) -> String {
        var rows = ""
        for stream in streams {
            let p = ["telemetry", stream.key]
            let lost = report.number(at: p + ["lost"]) ?? 0
            rows += "<tr><td>" + HTMLText.escape(stream.key) + "<br><small><code>" + HTMLText.escape(text(stream.value["topic"] ?? .null))
                + "</code> · QoS " + number(p + ["qos"]) + " · every " + milliseconds(p + ["every_ms"]) + "</small></td>"
            for key in ["sent", "acknowledged", "received"] { rows += "<td class=\"num\">" + number(p + [key]) + "</td>" }
            rows += "<td class=\"num" + (lost > 0 ? " fail" : "") + "\">" + number(p + ["lost"]) + "</td>"
            rows += "<td class=\"num\">" + (report.number(at: p + ["delivery"]).map(ValueFormat.percent) ?? "–") + "</td>"
            for q in ["p50", "p99", "max"] { rows += "<td class=\"num\">" + milliseconds(p + ["e2e_ms", q]) + "</td>" }
            rows += "</tr>"
        }
        return "<table><tr><th>telemetry stream</th><th class=\"num\">sent</th><th class=\"num\">acknowledged</th>"
            + "<th class=\"num\">received</th><th class=\"num\">lost</th><th class=\"num\">delivery</th><th class=\"num\">e2e p50</th>"
            + "<th class=\"num\">e2e p99</th><th class=\"num\">e2e max</th></tr>" + rows + "</table>"
    }

    private func deviceHTTPTable() -> String {
        var rows = ""
        for endpoint in report.members(at: ["device_http", "requests"]) {
            for status in report.members(at: ["device_http", "requests", endpoint.key]) {
                rows += "<tr><td><code>" + HTMLText.escape(endpoint.key) + "</code></td><td class=\"num\">" + HTMLText.escape(status.key)
                    + "</td><td class=\"num\">" + number(["device_http", "requests", endpoint.key, status.key]) + "</td></tr>"
            }
        }
        let where_ = HTMLText.escape(report.value(at: ["device_http", "addresses"])?.stringValue ?? "")
        return "<p>Device web servers: " + where_ + "</p><table><tr><th>endpoint</th><th class=\"num\">status</th>"
            + "<th class=\"num\">requests served</th></tr>" + rows + "</table>"
    }
}
