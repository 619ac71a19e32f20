import DeviceCore
import Dispatch
import Foundation
import Glibc

/// The end of a run: sampling until the duration is over, draining, delivery accounting, report.
extension FleetRunner {

    /// Runs for ramp + duration (or until `requestStop`), sampling once per second, then stops and reports.
    public func runToCompletion() -> FleetReport {
        let end = startedMonotonic + rampSeconds + configuration.durationSeconds
        var lastReceived = 0
        var nextSample = startedMonotonic + 1
        while !stopFlag.load(ordering: .acquiring) {
            let now = HostClock.monotonicSeconds()
            if now >= end { break }
            let wait = min(nextSample, end) - now
            if stopRequested.wait(timeout: .now() + max(0, wait)) == .success { break }
            if HostClock.monotonicSeconds() >= nextSample {
                let s = snapshot()
                let versions = versionCounts()
                timeseries.append(t: Int((nextSample - startedMonotonic).rounded()), snapshot: s,
                                  messagesPerSecond: s.received - lastReceived, versions: versions)
                lastReceived = s.received
                feedLiveMetrics(s)
                onSample?(s, elapsedSeconds)
                if steadyMark == nil && elapsedSeconds >= rampSeconds + 2 {
                    steadyMark = (FleetRunner.processCPUSeconds(), s.sent)
                    steadyTelemetryMark = s.telemetrySent
                }
                nextSample += 1
            }
        }
        return finish()
    }

    /// Stops the devices, drains in-flight heartbeats to the observer, tears down and builds the report.
    public func finish() -> FleetReport {
        beforeFinish?()
        let duration = elapsedSeconds
        let steadyEnd = (cpu: FleetRunner.processCPUSeconds(), sent: snapshot().sent)
        let steadyTelemetryEnd = snapshot().telemetrySent
        for shard in shards { syncOn(shard.reactor) { shard.freeze() } }
        // Heartbeats still in flight: wait (bounded) for PUBACKs, then for the observer to catch up.
        let drainEnd = HostClock.monotonicSeconds() + configuration.drainSeconds
        var s = snapshot()
        while HostClock.monotonicSeconds() < drainEnd {
            s = snapshot()
            let ackedAll = configuration.qos == 0 || s.acknowledged >= s.sent
            // Device HTTP requests on the wire end too (a frozen fleet starts no new ones by timer).
            if ackedAll && s.received >= (configuration.qos == 0 ? s.sent : s.acknowledged) && telemetryDrained(s)
                && httpInFlight() == 0 { break }
            usleep(20_000)
        }
        s = snapshot()
        let accounting = deliveryAccounting()
        let failures = deviceFailures()
        let versions = versionCounts()
        let otaOutcomes = otaOutcomes()
        var connect = LatencyRecorder()
        for shard in shards { connect.merge(shard.reactor.connectLatency) }
        let e2e = observer.map { o in o.sync { $0.latency } } ?? LatencyRecorder()
        for shard in shards { syncOn(shard.reactor) { shard.abortHTTP() } }
        let http = httpStats()
        feedLiveMetrics(s, lost: accounting.lost, ota: otaOutcomes)
        let observerReconnects = observer?.reconnects.load(ordering: .relaxed) ?? 0
        let observedIDs = observer.map { o in o.sync { $0.receivedByDevice.keys.sorted() } } ?? []
        let proxy = proxyStats()
        let telemetry = telemetryReports()
        let deviceHTTP = deviceHTTPReport()
        let brokerExits = broker?.unexpectedExits ?? 0, brokerRestarts = broker?.restarts ?? 0
        teardown()
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let cpu = FleetRunner.processCPUSeconds()
        let allConnected = s.everConnected == configuration.localDevices && s.lastFirstConnectMicros > 0
        var report = FleetReport(
            configuration: configuration, startedAt: startedAt, durationSeconds: duration, brokerURL: brokerURL,
            embedded: configuration.broker == .embedded, snapshot: s, lost: accounting.lost, lostDetail: accounting.detail,
            unacknowledged: max(0, s.sent - s.acknowledged), connectLatency: connect, e2eLatency: e2e, versions: versions,
            peakRSSBytes: Int(usage.ru_maxrss) * 1024, cpuSeconds: cpu, reactors: shards.count, budget: budget,
            observerReconnects: observerReconnects, timeseries: timeseries)
        report.failures = failures
        report.observedIDs = observedIDs
        report.brokerExits = brokerExits
        report.brokerRestarts = brokerRestarts
        report.foreignMessages = observer?.foreign.load(ordering: .relaxed) ?? 0
        report.malformedMessages = observer?.malformed.load(ordering: .relaxed) ?? 0
        report.timerTickMs = configuration.timerTickMs
        report.originStats = origin?.stats
        report.commands = commandsSent.load(ordering: .relaxed)
        report.otaOutcomes = otaOutcomes
        report.http = http
        report.telemetry = telemetry
        report.topics = configuration.topics
        report.deviceHTTP = deviceHTTP
        report.connectAllSeconds = allConnected ? Double(Int64(s.lastFirstConnectMicros) - rampStartMicros) / 1e6 : nil
        report.proxy = proxy
        report.proxiedDevices = configuration.proxiedDevices.count(of: configuration.devices)
        report.mqtt = configuration.mqtt
        if let mark = steadyMark {
            report.steadyCPUSeconds = steadyEnd.cpu - mark.cpu
            report.steadyHeartbeats = steadyEnd.sent - mark.sent
            report.steadyTelemetry = steadyTelemetryEnd - steadyTelemetryMark
        }
        return report
    }

    /// Brings `liveMetrics` up to date: the totals, and the latencies recorded since the last feed
    /// (taken from every reactor's buffers). The final feed adds losses and OTA outcomes.
    func feedLiveMetrics(_ s: FleetSnapshot, lost: Int? = nil, ota: OTAOutcomes? = nil) {
        guard let metrics = liveMetrics else { return }
        var batch = LatencyBatch()
        var http: [HTTPKind: HTTPCounts] = [:]
        for shard in shards {
            let (part, counts) = syncOn(shard.reactor) { (shard.reactor.live?.take() ?? LatencyBatch(), shard.reactor.http.counts) }
            batch.add(part)
            for (kind, c) in counts { http[kind, default: HTTPCounts()].add(c) }
        }
        if let o = observerReactor { batch.add(syncOn(o) { o.live?.take() ?? LatencyBatch() }) }
        var totals = FleetMetrics.Totals(s)
        if let lost { totals.lost = lost }
        if let ota {
            totals.ota = ["started": ota.started, "succeeded": ota.succeeded, "failed": ota.refused, "committed": ota.committed]
        }
        metrics.update(totals)
        metrics.update(http: http, plannedDisconnects: s.plannedDisconnects)
        metrics.record(batch)
    }

    /// Device HTTP requests on the wire across reactors.
    func httpInFlight() -> Int { shards.reduce(0) { total, shard in total + syncOn(shard.reactor) { shard.httpInFlight } } }

    /// Every reactor's device HTTP accounting, merged by kind (blocks until each has answered).
    func httpStats() -> [HTTPKind: HTTPStats] {
        var out: [HTTPKind: HTTPStats] = [:]
        for shard in shards {
            let part = syncOn(shard.reactor) { shard.reactor.http.stats }
            for (kind, stats) in part { out[kind, default: HTTPStats()].merge(stats) }
        }
        return out
    }

    /// User + system CPU of this process so far.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
            + Double(usage.ru_stime.tv_usec) / 1e6
    }

    /// Every acknowledged QoS 1 or 2 heartbeat not received by the observer, per device and sequence number.
    func deliveryAccounting() -> (lost: Int, detail: [(device: String, seq: Int)]) {
        guard configuration.qos >= 1, let observer else { return (0, []) }
        // Acknowledgements first, deliveries last: a heartbeat acknowledged between the two reads
        // has then had every chance to arrive, and is never miscounted as lost.
        // One array per shard, never joined: these run while every device still lives, so a copy of
        // the whole fleet's records here would set the run's peak memory.
        var acked: [[(key: String, id: String, set: SequenceSet)]] = []
        acked.reserveCapacity(shards.count)
        let status = observer.statusPattern
        for shard in shards {
            // Looked up by the observer's key: the id, or in other layouts what the status topic's placeholders filled.
            acked.append(syncOn(shard.reactor) {
                shard.hosts.map { (status.key(of: $0.firmware.topics.status) ?? $0.identity.id, $0.identity.id, $0.acknowledged) }
            })
        }
        let received = observer.sync { $0.receivedByDevice }
        var lost = 0
        var detail: [(String, Int)] = []
        for (key, id, set) in acked.joined() {
            let missing = set.subtracting(received[key] ?? SequenceSet())
            lost += missing.count
            for key in missing where detail.count < 100 { detail.append((id, HeartbeatFields.seq(ofKey: key))) }
        }
        return (lost, detail)
    }

    /// Devices that never connected, with their last error and how often they tried (first 100).
    func deviceFailures() -> [DeviceFailure] {
        var out: [DeviceFailure] = []
        for shard in shards {
            let f: [DeviceFailure] = syncOn(shard.reactor) { shard.hosts.compactMap { $0.failure } }
            out.append(contentsOf: f)
        }
        return Array(out.sorted { $0.device < $1.device }.prefix(100))
    }

    /// When each device last completed a connect (Unix-epoch µs, 0 = never), by fleet index.
    func lastConnectTimes() -> [Int: Int64] {
        var out: [Int: Int64] = [:]
        for shard in shards {
            let t: [(Int, Int64)] = syncOn(shard.reactor) { shard.hosts.map { ($0.identity.index, $0.lastConnectedAt?.microseconds ?? 0) } }
            for (i, v) in t { out[i] = v }
        }
        return out
    }

    /// The per-fault timeline of `windows` (after `finish`: the reactors have stopped).
    public func faultImpacts(_ windows: [FaultWindow]) -> [FaultImpact] {
        precondition(finished, "faultImpacts reads the reactors' ledgers: call it after finish()")
        return FaultImpact.compute(windows, ledgers: linkLedgers())
    }

    func versionCounts() -> [String: Int] {
        var out: [String: Int] = [:]
        for shard in shards {
            let v = syncOn(shard.reactor) { shard.versionCounts() }
            for (k, n) in v { out[k, default: 0] += n }
        }
        return out
    }

}
