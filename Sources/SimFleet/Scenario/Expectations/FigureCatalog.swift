/// The figures an expectation may name: every number of the run report (docs/report-format.md),
/// the short aliases for the common ones, and which figures are sampled over time for `within`.
public enum FigureCatalog {
    /// Alias → canonical path prefix. Only the first segment of a written figure is rewritten.
    public static let aliases: [(alias: String, path: [String])] = [
        ("delivery", ["messages", "delivery"]),
        ("sent", ["messages", "sent"]),
        ("received", ["messages", "received"]),
        ("lost", ["messages", "lost"]),
        ("connect_latency", ["latency", "connect_ms"]),
        ("e2e_latency", ["latency", "e2e_ms"]),
        ("requested", ["devices", "requested"]),
        ("connected", ["devices", "connected"]),
        ("online", ["devices", "online_at_end"]),
        ("failed_devices", ["devices", "failed"]),
        ("rollbacks", ["ota", "rolled_back"]),
        ("corrupted_downloads", ["ota", "corrupted_downloads"]),
        ("ota_succeeded", ["ota", "succeeded"]),
        ("ota_failed", ["ota", "failed"]),
        ("ota_refused", ["ota", "refused"]),
        ("version", ["fleet", "version"]),
        ("acl_attempts", ["acl", "attempts"]),
        ("acl_refused", ["acl", "refused"]),
        ("acl_allowed", ["acl", "allowed"]),
        ("peak_rss", ["simulator", "peak_rss_bytes"]),
        ("cpu_seconds", ["simulator", "cpu_seconds"]),
        ("duration", ["duration_s"]),
        ("unacknowledged", ["messages", "unacknowledged"]),
        ("connect_all", ["simulator", "connect_all_s"]),
    ]

    /// Known figure shapes; `*` matches any one segment (a version, an error kind).
    static let figures: [(pattern: [String], kind: FigureKind, base: [String]?)] = {
        var list: [(pattern: [String], kind: FigureKind, base: [String]?)] = [
            (["duration_s"], .seconds, nil),
            (["reconnects"], .count, devices),
            (["messages", "delivery"], .fraction, nil),
            (["simulator", "peak_rss_bytes"], .bytes, nil),
            (["simulator", "cpu_seconds"], .seconds, nil),
            (["errors", "*"], .count, devices),
            (["ota", "refused", "*"], .count, otaBase),
            (["fleet", "version", "*"], .count, devices),
            (["fleet", "state", "*"], .count, devices),
        ]
        for key in ["requested", "connected", "online_at_end", "failed", "observed"] {
            list.append((["devices", key], .count, devices))
        }
        for key in ["sent", "received", "lost", "unacknowledged"] {
            list.append((["messages", key], .count, ["messages", "sent"]))
        }
        for key in ["commands", "rejected_commands", "started", "succeeded", "failed", "rolled_back", "corrupted_downloads", "downloads_started",
                    "downloads_failed", "truncated_downloads", "dropped_downloads", "stalled_downloads", "committed", "images_booted", "bricked",
                    "power_cuts"] {
            list.append((["ota", key], .count, otaBase))
        }
        for key in ["attempts", "refused", "allowed"] { list.append((["acl", key], .count, ["acl", "attempts"])) }
        for key in ["registered", "failed"] { list.append((["registration", key], .count, devices)) }
        for key in ["disconnects", "packets_lost"] { list.append((["network", key], .count, nil)) }
        for key in ["broker_exits", "broker_restarts"] { list.append((["backend", key], .count, nil)) }
        for key in ["foreign", "malformed"] { list.append((["messages", key], .count, nil)) }
        for key in ["saved", "failed", "wifi_resets", "dns_redirects"] { list.append((["provisioning", key], .count, devices)) }
        for key in ["provisioned", "handshakes"] { list.append((["provisioning", "idf_softap", key], .count, devices)) }
        list.append((["provisioning", "idf_softap", "failures", "*"], .count, devices))
        for p in ["p50", "p90", "max"] { list.append((["provisioning", "idf_softap", "time_to_provisioned_ms", p], .milliseconds, nil)) }
        for key in ["reactors", "timer_tick_ms", "fd_limit", "device_ceiling", "observer_reconnects", "steady_heartbeats",
                    "steady_telemetry"] {
            list.append((["simulator", key], .count, nil))
        }
        for key in ["connect_all_s", "steady_cpu_seconds"] { list.append((["simulator", key], .seconds, nil)) }
        list.append((["planned_disconnects", "*"], .count, devices))
        for key in ["checks", "failed"] { list.append((["ota", "manifest", key], .count, devices)) }
        list.append((["ota", "manifest", "failures", "*"], .count, ["ota", "manifest", "checks"]))
        for kind in HTTPKind.allCases.map(\.key) {
            let requests = ["http", kind, "requests"]
            list.append((requests, .count, nil))
            for key in ["retries", "redirects"] { list.append((["http", kind, key], .count, requests)) }
            list.append((["http", kind, "status", "*"], .count, requests))
            list.append((["http", kind, "errors", "*"], .count, requests))
            for key in ["bytes_received", "bytes_sent"] { list.append((["http", kind, key], .bytes, nil)) }
            for histogram in ["latency", "ttfb"] {
                list.append((["http", kind, histogram, "count"], .count, requests))
                for p in ["p50", "p90", "p99", "p999", "max"] { list.append((["http", kind, histogram, p], .milliseconds, nil)) }
            }
        }
        for key in ["proxied_devices"] { list.append((["network", key], .count, devices)) }
        for key in ["connections", "refused", "resets", "closed_by_fault", "upstream_failures", "unexpected", "peak_links"] {
            list.append((["network", "proxy", key], .count, nil))
        }
        // Per-fault timeline, by the fault step's name (`faults.outage.all_online_s`); shares of a
        // fault's counts are of the devices it acted on.
        list.append((["faults", "*", "devices"], .count, devices))
        for key in ["disconnected", "reconnected", "never_reconnected"] {
            list.append((["faults", "*", key], .count, ["faults", "*", "devices"]))
        }
        for key in ["queued", "sent_during", "received_during", "step"] { list.append((["faults", "*", key], .count, nil)) }
        for key in ["start_s", "end_s", "all_online_s"] { list.append((["faults", "*", key], .seconds, nil)) }
        list.append((["faults", "*", "reconnect_s", "count"], .count, ["faults", "*", "devices"]))
        for p in ["p50", "p90", "p99", "max"] { list.append((["faults", "*", "reconnect_s", p], .seconds, nil)) }
        for key in ["sent", "acknowledged", "received", "lost", "unacknowledged", "duplicates", "malformed"] {
            list.append((["telemetry", "*", key], .count, ["telemetry", "*", "sent"]))
        }
        list.append((["telemetry", "*", "delivery"], .fraction, nil))
        list.append((["telemetry", "*", "e2e_ms", "count"], .count, nil))
        for p in ["p50", "p90", "p99", "p999", "max"] { list.append((["telemetry", "*", "e2e_ms", p], .milliseconds, nil)) }
        list.append((["device_http", "served"], .count, nil))
        list.append((["device_http", "bind_failures"], .count, devices))
        list.append((["device_http", "requests", "*", "*"], .count, ["device_http", "served"]))
        for histogram in ["connect_ms", "e2e_ms"] {
            list.append((["latency", histogram, "count"], .count, nil))
            for p in ["p50", "p90", "p99", "p999", "max"] { list.append((["latency", histogram, p], .milliseconds, nil)) }
        }
        return list
    }()

    static let devices = ["devices", "requested"]
    static let otaBase = ["ota", "commands"]

    /// Figures the report samples over time (`timeseries`), so `within` can find when they held:
    /// canonical path → where the samples are.
    public static func timeseries(for path: [String]) -> [String]? {
        if path == ["devices", "online_at_end"] { return ["timeseries", "online"] }
        if path.count == 3, path[0] == "fleet", path[1] == "version" { return ["timeseries", "versions", path[2]] }
        return nil
    }

    /// Figures whose missing entries mean zero (maps keyed by version, state or kind).
    static func missingMeansZero(_ path: [String]) -> Bool {
        if path.count == 4, path[0] == "http", path[2] == "status" || path[2] == "errors" { return true }
        if path.count == 2, path[0] == "planned_disconnects" { return true }
        if path.count == 4, path[0] == "ota", path[1] == "manifest", path[2] == "failures" { return true }
        if isSoftAPFailure(path) { return true }
        guard path.count == 3 || path.count == 2 else { return false }
        if path[0] == "errors" { return true }
        if path[0] == "fleet" && (path[1] == "version" || path[1] == "state") { return true }
        if path[0] == "ota" && path.count == 3 && path[1] == "refused" { return true }
        return false
    }

    /// `device_http.requests["/update"]["202"]`: an endpoint or status never answered counts as 0.
    static func missingMeansZeroDeep(_ path: [String]) -> Bool {
        path.count == 4 && path[0] == "device_http" && path[1] == "requests"
    }

    /// `provisioning.idf_softap.failures.<reason>` of a reason that never happened is 0.
    static func isSoftAPFailure(_ path: [String]) -> Bool {
        path.count == 4 && path[0] == "provisioning" && path[1] == "idf_softap" && path[2] == "failures"
    }

    /// Resolves written segments (aliases applied) to a figure, or nil when the report has no such number.
    public static func resolve(_ segments: [String], written: String) -> Figure? {
        var path = segments
        if let first = segments.first, let alias = aliases.first(where: { $0.alias == first }) {
            path = alias.path + segments.dropFirst()
        }
        for entry in figures where matches(entry.pattern, path) {
            // A `*` in the base stands for the same segment of the figure (the fault's name).
            let base = entry.base.map { b in b.enumerated().map { i, s in s == "*" && i < path.count ? path[i] : s } }
            return Figure(path: path, written: written, kind: entry.kind, percentBase: base)
        }
        return nil
    }

    static func matches(_ pattern: [String], _ path: [String]) -> Bool {
        pattern.count == path.count && zip(pattern, path).allSatisfy { $0 == "*" || $0 == $1 }
    }

    /// Dotted form with subscripts for segments that are not plain words.
    public static func display(_ path: [String]) -> String {
        var out = ""
        for (i, segment) in path.enumerated() {
            let plain = segment.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } && !(segment.first?.isNumber ?? true)
            if plain { out += (i == 0 ? "" : ".") + segment } else { out += "[\"" + segment + "\"]" }
        }
        return out
    }
}
