/// The faults section: for each fault the timeline carried out, what the devices lived through
/// (disconnected, reconnect spread, time until all were back, what waited, what the broker got),
/// with a bar chart of the reconnect spread.
extension HTMLReport {
    func faultsSection() -> String {
        let faults = report.members(at: ["faults"])
        guard !faults.isEmpty else { return "" }
        var rows = ""
        var charts = ""
        for (i, member) in faults.enumerated() {
            let f = member.value
            func cell(_ key: String, unit: String = "") -> String {
                guard let v = f[key], v != .null else { return "<td class=\"num\">–</td>" }
                return "<td class=\"num\">" + text(v) + unit + "</td>"
            }
            let mode = f["mode"]?.stringValue.map { " (" + HTMLText.escape($0) + ")" } ?? ""
            let p99 = f["reconnect_s"]?["p99"].map { text($0) + " s" } ?? "–"
            rows += "<tr><td>" + HTMLText.escape(member.key) + "</td><td><code>" + HTMLText.escape(f["kind"]?.stringValue ?? "")
                + "</code>" + mode + "</td>" + cell("start_s", unit: " s") + cell("end_s", unit: " s") + cell("devices")
                + cell("disconnected") + cell("never_reconnected") + "<td class=\"num\">" + p99 + "</td>"
                + cell("all_online_s", unit: " s") + cell("queued") + cell("sent_during") + cell("received_during") + "</tr>"
            guard case .array(let buckets)? = f["reconnect_histogram"], !buckets.isEmpty else { continue }
            let labels = buckets.map { b -> String in
                guard case .number(let n)? = b["le_s"], let v = Double(n.text) else { return "more" }
                return ChartScale.label(v) + " s"
            }
            let counts = buckets.map { b -> Double in
                guard case .number(let n)? = b["count"] else { return 0 }
                return Double(n.text) ?? 0
            }
            charts += SVGBarChart(title: "Reconnect spread after " + member.key, xLabel: "seconds after the fault ended (bucket upper bound)",
                                  labels: labels, counts: counts, color: Self.palette[(i + 2) % Self.palette.count]).render()
        }
        return "<h2>Faults</h2><table><tr><th>fault</th><th>kind</th><th class=\"num\">start</th><th class=\"num\">end</th>"
            + "<th class=\"num\">devices</th><th class=\"num\">disconnected</th><th class=\"num\">never back</th>"
            + "<th class=\"num\">reconnect p99</th><th class=\"num\">all online after</th><th class=\"num\">queued</th>"
            + "<th class=\"num\">sent during</th><th class=\"num\">broker received during</th></tr>" + rows + "</table>"
            + (charts.isEmpty ? "" : "<section class=\"charts\">" + charts + "</section>")
    }
}
