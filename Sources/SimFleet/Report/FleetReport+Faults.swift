/// The report's fault sections: `faults` (per-fault timeline), `network` with the fault proxy's
/// counts, and `mqtt` (docs/report-format.md).
extension FleetReport {
    /// `faults`: one object per fault, keyed by its step's `name` (or `step<N>`), in timeline order.
    func faultsJSON() -> ReportJSON {
        var members: [(String, ReportJSON)] = []
        var used: [String: Int] = [:]
        for f in faults {
            let w = f.window
            var key = w.label
            if let n = used[key] { key += "_" + String(n + 1) }  // a step that ran twice keeps both
            used[w.label, default: 0] += 1
            func seconds(_ v: Double?) -> ReportJSON { v.map { .double(($0 * 1000).rounded() / 1000) } ?? .null }
            let spread: ReportJSON = f.reconnectSeconds.isEmpty ? .null : .object([
                ("count", .int(f.reconnectSeconds.count)), ("p50", seconds(f.percentile(0.5))), ("p90", seconds(f.percentile(0.9))),
                ("p99", seconds(f.percentile(0.99))), ("max", seconds(f.reconnectSeconds.last)),
            ])
            let buckets: [ReportJSON] = f.reconnectSeconds.isEmpty ? [] : f.histogram.map {
                .object([("le_s", $0.leSeconds.map { .double($0) } ?? .null), ("count", .int($0.count))])
            }
            let sentEnd = w.sentAtEnd ?? sent
            let receivedEnd = w.receivedAtEnd ?? received
            members.append((key, .object([
                ("step", .int(w.step)), ("kind", .string(w.kind)), ("mode", w.mode.isEmpty ? .null : .string(w.mode)),
                ("start_s", seconds(w.startSeconds)), ("end_s", seconds(w.endSeconds)),
                ("devices", .int(w.devices.count)), ("disconnected", .int(f.disconnected)),
                ("reconnected", .int(f.reconnected)), ("never_reconnected", .int(f.neverReconnected)),
                ("reconnect_s", spread), ("reconnect_histogram", .array(buckets)),
                ("all_online_s", seconds(f.allOnlineSeconds)),
                ("queued", w.queuedAtEnd.map { .int($0) } ?? .null),
                ("sent_during", .int(max(0, sentEnd - w.sentAtStart))),
                ("received_during", .int(max(0, receivedEnd - w.receivedAtStart))),
            ])))
        }
        return .object(members)
    }

    /// `network`: storm disconnects and packet loss (as before), and what the fault proxy did.
    func networkJSON() -> ReportJSON {
        var members: [(String, ReportJSON)] = [("disconnects", .int(stormDisconnects)), ("packets_lost", .int(packetsLost))]
        members.append(("proxied_devices", .int(proxiedDevices)))
        members.append(("proxy", proxy.map { p in
            .object([("connections", .int(p.connections)), ("refused", .int(p.refused)), ("resets", .int(p.resets)),
                     ("closed_by_fault", .int(p.closedByFault)), ("upstream_failures", .int(p.upstreamFailures)),
                     ("unexpected", .int(p.unexpected)), ("peak_links", .int(p.peakLinks)),
                     ("descriptors_per_device", .int(DescriptorBudget.perProxiedDevice))])
        } ?? .null))
        return .object(members)
    }

    /// `mqtt`: the protocol and sessions the devices used.
    func mqttJSON() -> ReportJSON {
        .object([
            ("version", .string(mqtt.version.rawValue)), ("clean_session", .bool(mqtt.cleanSession)),
            ("session_expiry_s", mqtt.version == .v5 ? .int(Int(mqtt.effectiveSessionExpirySeconds)) : .null),
            ("message_expiry_s", mqtt.messageExpirySeconds.map { .int(Int($0)) } ?? .null),
            ("keepalive_s", .int(configuration.keepAliveSeconds)),
        ])
    }
}
