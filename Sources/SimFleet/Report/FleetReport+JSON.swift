import Foundation

extension FleetReport {
    /// The report as JSON text (format 1).
    public func json() -> String {
        func latency(_ l: LatencySummary) -> ReportJSON {
            .object([("count", .int(l.count)), ("p50", .double(l.p50)), ("p90", .double(l.p90)), ("p99", .double(l.p99)),
                     ("p999", .double(l.p999)), ("max", .double(l.max))])
        }
        let c = configuration
        let ts = timeseries
        let backend: ReportJSON = .object([
            ("broker", .string(brokerURL)), ("embedded", .bool(embedded)), ("api", c.api.map { .string($0) } ?? .null),
            ("broker_exits", .int(brokerExits)), ("broker_restarts", .int(brokerRestarts)),
        ])
        let shape: ReportJSON = .object([
            ("chip", .string(c.chip.idPrefix)), ("firmware_version", .string(c.firmwareVersion)),
            ("heartbeat_ms", .int(Int(c.heartbeatMs))), ("qos", .int(c.qos)), ("ramp_per_s", .double(c.rampPerSecond)),
            ("provisioned", .bool(c.provisioned)),
        ])
        let devices: ReportJSON = .object([
            ("requested", .int(requested)), ("connected", .int(connected)), ("online_at_end", .int(onlineAtEnd)),
            ("failed", .int(failed)),
            ("failed_detail", .array(failures.map {
                .object([("device", .string($0.device)), ("error", .string($0.error)), ("return_code", .int($0.returnCode)),
                         ("attempts", .int($0.attempts))])
            })),
            ("observed", .int(observedIDs.count)), ("observed_ids", .array(observedIDs.map { .string($0) })),
        ])
        let lostItems: [ReportJSON] = lostDetail.map { .object([("device", .string($0.device)), ("seq", .int($0.seq))]) }
        let messages: ReportJSON = .object([
            ("sent", .int(sent)), ("received", .int(received)), ("lost", .int(lost)), ("unacknowledged", .int(unacknowledged)),
            ("delivery", .double(delivery)), ("lost_detail", .array(lostItems)),
            ("foreign", .int(foreignMessages)), ("malformed", .int(malformedMessages)),
        ])
        let buckets: [ReportJSON] = e2eHistogram.map { .object([("le_ms", .double($0.leMs)), ("count", .int($0.count))]) }
        let latencies: ReportJSON = .object([
            ("connect_ms", latency(connectLatency)), ("e2e_ms", latency(e2eLatency)), ("e2e_histogram", .array(buckets)),
            ("hdr", .object([("connect_ms", .string(connectRecorder.encoded)), ("e2e_ms", .string(e2eRecorder.encoded))])),
        ])
        let errorItems: [(String, ReportJSON)] = errors.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) }
        let versionItems: [(String, ReportJSON)] = versions.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) }
        let fleet: ReportJSON = .object([
            ("version", .object(versionItems)),
            ("state", .object([("online", .int(onlineAtEnd)), ("offline", .int(max(0, requested - onlineAtEnd)))])),
        ])
        let simulator: ReportJSON = .object([
            ("peak_rss_bytes", .int(peakRSSBytes)), ("cpu_seconds", .double(cpuSeconds)), ("reactors", .int(reactors)), ("timer_tick_ms", .int(timerTickMs)),
            ("fd_limit", .int(fdLimit)), ("device_ceiling", .int(deviceCeiling)),
            ("observer_reconnects", .int(observerReconnects)),
            ("connect_all_s", connectAllSeconds.map { .double($0) } ?? .null),
            ("steady_cpu_seconds", steadyCPUSeconds.map { .double($0) } ?? .null),
            ("steady_heartbeats", steadyHeartbeats.map { .int($0) } ?? .null),
            ("steady_telemetry", steadyTelemetry.map { .int($0) } ?? .null),
        ] + (virtualTime.map { v -> [(String, ReportJSON)] in
            [("virtual_time", .object([
                ("simulated_s", .double(v.simulatedSeconds)), ("wall_s", .double(v.wallSeconds)),
                ("simulated_per_wall_s", .double(v.simulatedPerWallSecond)), ("status_publishes", .int(v.heartbeats)),
                ("status_publishes_per_wall_s", .double(v.heartbeatsPerWallSecond)),
            ]))]
        } ?? []))
        func ints(_ a: [Int]) -> ReportJSON { .array(a.map { .int($0) }) }
        let seriesVersions: [(String, ReportJSON)] = ts.versions.sorted { $0.key < $1.key }.map { ($0.key, ints($0.value)) }
        let series: ReportJSON = .object([
            ("interval_s", .int(timeseriesIntervalSeconds)), ("t", ints(ts.t)), ("online", ints(ts.online)), ("connecting", ints(ts.connecting)),
            ("messages_per_s", ints(ts.messagesPerSecond)), ("errors", ints(ts.errors)),
            ("planned_disconnects", ints(ts.plannedDisconnects)), ("versions", .object(seriesVersions)),
        ])
        let expectationItems: [ReportJSON] = expectations.map {
            .object([("expression", .string($0.expression)), ("passed", .bool($0.passed)), ("measured", .string($0.measured))])
        }
        let o = originStats ?? OriginStats()
        // From the devices' updaters and bootloaders; null means "not measured", never zero.
        let outcomes = otaOutcomes
        let ota: ReportJSON = .object([
            ("commands", .int(commands)), ("rejected_commands", outcomes.map { .int($0.rejectedCommands) } ?? .null),
            ("started", outcomes.map { .int($0.started) } ?? .int(downloadsStarted)),
            ("succeeded", outcomes.map { .int($0.succeeded) } ?? .null),
            ("failed", outcomes.map { .int($0.refused) } ?? .int(downloadsFailed)), ("rolled_back", .int(rollbacks)),
            ("refused", outcomes.map { o in .object(o.refusedByKind.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) }) } ?? .null),
            ("committed", outcomes.map { .int($0.committed) } ?? .null), ("images_booted", .int(imagesBooted)),
            ("bricked", .int(bricked)), ("power_cuts", .int(powerCutsDuringFlash)),
            ("downloads_started", .int(downloadsStarted)), ("downloads_failed", .int(downloadsFailed)),
            ("corrupted_downloads", .int(o.corrupted)), ("truncated_downloads", .int(o.truncated)),
            ("dropped_downloads", .int(o.dropped)), ("stalled_downloads", .int(o.stalled)),
            ("manifest", outcomes.map { m in
                .object([("checks", .int(m.manifestChecks)), ("failed", .int(m.manifestFailures)),
                         ("failures", .object(m.manifestFailuresByKind.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) }))])
            } ?? .null),
            ("origin", .object([("requests", .int(o.requests)), ("range_requests", .int(o.rangeResponses)),
                                ("bytes_served", .int(o.bytesServed)), ("not_found", .int(o.notFound))])),
        ])
        let acl: ReportJSON = .object([("attempts", .int(aclAttempts)), ("refused", .int(aclRefused)), ("allowed", .int(aclAllowed))])
        let registration: ReportJSON = .object([("registered", .int(registered)), ("failed", .int(registrationFailed))])
        var members: [(String, ReportJSON)] = []
        members.append(("format", .int(1)))
        members.append(("simfleet_version", .string(SimFleet.version)))
        members.append(("scenario", c.scenarioName.map { .string($0) } ?? .null))
        members.append(("seed", .int(Int(truncatingIfNeeded: c.seed))))
        members.append(("started_at", .string(UTCTimestamp.iso8601(unixSeconds: startedAt.timeIntervalSince1970))))
        members.append(("duration_s", .double(durationSeconds)))
        members.append(("backend", backend))
        members.append(("fleet_shape", shape))
        members.append(("devices", devices))
        members.append(("messages", messages))
        members.append(("reconnects", .int(reconnects)))
        members.append(("latency", latencies))
        members.append(("errors", .object(errorItems)))
        members.append(("planned_disconnects", plannedDisconnectsJSON))
        members.append(("ota", ota))
        members.append(("fleet", fleet))
        members.append(("acl", acl))
        members.append(("registration", registration))
        members.append(("http", httpJSON))
        members.append(("timeline", .array(phases.map { p in
            .object([("step", .int(p.step)), ("kind", .string(p.kind)), ("name", p.name.map { .string($0) } ?? .null),
                     ("start_s", .double((p.startSeconds * 10).rounded() / 10)), ("end_s", .double((p.endSeconds * 10).rounded() / 10))])
        })))
        members.append(("network", networkJSON()))
        members.append(("faults", faultsJSON()))
        members.append(("mqtt", mqttJSON()))
        members.append(("provisioning", provisioning.map { p in
            .object([("saved", .int(p.saved)), ("failed", .int(p.failed)), ("wifi_resets", .int(p.wifiResets)),
                     ("dns_redirects", .int(p.dnsRedirects)), ("idf_softap", p.idfSoftAP.map(Self.softAPJSON) ?? .null)])
        } ?? .null))
        members.append(("topics", topicsJSON))
        members.append(("telemetry", telemetryJSON))
        members.append(("device_http", deviceHTTPJSON))
        members.append(("simulator", simulator))
        members.append(("timeseries", series))
        members.append(("shard", shard?.json ?? .null))
        members.append(("expectations", .array(expectationItems)))
        members.append(("passed", .bool(passed)))
        let doc = ReportJSON.object(members)
        return doc.encoded() + "\n"
    }

    /// `provisioning.idf_softap` (docs/report-format.md).
    static func softAPJSON(_ t: SoftAPProvisioningTally) -> ReportJSON {
        let ms = { (q: Double) -> ReportJSON in .double((t.quantile(q) * 10).rounded() / 10) }
        return .object([("provisioned", .int(t.provisioned)), ("handshakes", .int(t.handshakes)),
                        ("failures", .object(t.failures.keys.sorted().map { ($0, .int(t.failures[$0]!)) })),
                        ("time_to_provisioned_ms", .object([("p50", ms(0.5)), ("p90", ms(0.9)), ("max", ms(1))]))])
    }
}
