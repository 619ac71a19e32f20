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
        html += "<h2>Errors, OTA and ACL</h2><section class=\"two\">" + errorTable() + otaTable() + "</section>"
        html += httpSection()
        html += backendShape()
        html += timelineTable()
        html += faultsSection()
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
        if report.number(at: ["ota", "succeeded"]) != nil {
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
