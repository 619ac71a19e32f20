/// The timeline table: each scenario step as it ran, and the provisioning and network-fault
/// counts the scenario engine adds.
extension HTMLReport {
    func timelineTable() -> String {
        var rows = ""
        if case .array(let items)? = report.value(at: ["timeline"]) {
            for item in items {
                let name = item["name"]?.stringValue.map { " <em>" + HTMLText.escape($0) + "</em>" } ?? ""
                rows += "<tr><td>" + text(item["step"] ?? .null) + "</td><td><code>" + HTMLText.escape(item["kind"]?.stringValue ?? "")
                    + "</code>" + name + "</td><td class=\"num\">" + text(item["start_s"] ?? .null) + " s</td><td class=\"num\">"
                    + text(item["end_s"] ?? .null) + " s</td></tr>"
            }
        }
        var counts = ""
        for section in ["provisioning", "network"] {
            for member in report.members(at: [section]) {
                guard case .number = member.value else { continue }
                counts += "<tr><td>" + section + " " + HTMLText.escape(String(member.key.map { $0 == "_" ? " " : $0 }))
                    + "</td><td class=\"num\">" + text(member.value) + "</td></tr>"
            }
        }
        guard !rows.isEmpty || !counts.isEmpty else { return "" }
        return "<h2>Timeline</h2><section class=\"two\"><div><table><tr><th>step</th><th>action</th><th class=\"num\">start</th>"
            + "<th class=\"num\">end</th></tr>" + (rows.isEmpty ? "<tr><td colspan=\"4\">none</td></tr>" : rows)
            + "</table></div><div><table><tr><th>provisioning and network</th><th class=\"num\">count</th></tr>"
            + (counts.isEmpty ? "<tr><td colspan=\"2\">none</td></tr>" : counts) + "</table></div></section>"
    }
}
