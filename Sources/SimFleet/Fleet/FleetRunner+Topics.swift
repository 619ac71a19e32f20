import DeviceCore

/// The run's topic layout and telemetry streams, checked before anything starts: every device's
/// topics must be its own, and the observer must map each received topic back to exactly the
/// device and stream that published it.
extension FleetConfiguration {
    /// The first problem with the topics of this fleet, nil when there is none.
    public func topicProblem() -> String? { topicProblemDetail()?.message }

    /// The first problem and the telemetry stream (its tag) it is about, if it is about one.
    func topicProblemDetail() -> (message: String, stream: Int?)? {
        if let clash = topics.clash { return (clash, nil) }
        if case .embedded = broker {
            let templates = [topics.status, topics.ota, topics.logs] + telemetry.map(\.topic)
            if let t = TopicACL.unconfinable(templates) {
                return ("topic '" + t.text + "' has no level that is exactly {id}: the embedded broker's ACL confines each device "
                    + "by its client id at one topic level (e.g. tenants/acme/{id}/state); an external broker (--broker) takes any layout",
                        telemetry.firstIndex { $0.topic == t })
            }
        }
        for (tag, stream) in telemetry.enumerated() where !(0...2).contains(stream.qos) {
            return ("telemetry stream '" + stream.name + "': qos " + String(stream.qos) + " (0, 1 or 2)", tag)
        }
        if telemetry.isEmpty && topics.status.tokens.contains(.id) { return nil }  // ids are unique, so statuses are
        let status = TopicPattern(topics.status)
        let patterns = telemetry.indices.map { telemetryPattern($0) }
        let order = patterns.indices.sorted { patterns[$0].fixedBytes > patterns[$1].fixedBytes }
        var statusOwner: [String: Int] = [:]
        for i in 0..<devices {
            let spec = deviceSpec(i)
            let place = placeholders(of: spec)
            let own = topics.names(place)
            if let other = statusOwner.updateValue(i, forKey: own.status) {
                return ("devices " + deviceSpec(other).id + " and " + spec.id + " have the same status topic '" + own.status + "'", nil)
            }
            for (tag, stream) in telemetry.enumerated() where stream.applies(to: spec.group) {
                let topic = stream.topic.resolve(place)
                if topic == own.status || topic == own.ota || topic == own.logs {
                    return ("telemetry stream '" + stream.name + "' publishes on device " + spec.id + "'s status, ota or logs topic '" + topic + "'", tag)
                }
                if status.key(of: topic) != nil {
                    return ("telemetry stream '" + stream.name + "': topic '" + topic + "' has the shape of the status topics ("
                        + topics.status.text + "); give it a different one", tag)
                }
                let taker = order.first { patterns[$0].key(of: topic) != nil }
                if taker != tag {
                    let other = taker.map { "stream '" + telemetry[$0].name + "'" } ?? "no stream"
                    return ("telemetry stream '" + stream.name + "': the observer would take device " + spec.id + "'s topic '" + topic
                        + "' for " + other + "; give the streams topics it can tell apart (e.g. with {group})", tag)
                }
            }
        }
        return nil
    }

    /// The embedded broker's ACL for this layout.
    var brokerACL: BrokerACL { BrokerACL(layout: topics, telemetry: telemetry.map(\.topic)) }

    /// What the observer accounts for: every stream with its pattern and payload reader.
    func telemetryObservation() -> TelemetryObservation {
        TelemetryObservation(telemetry.indices.map { tag in
            (tag, telemetryPattern(tag), (try? TelemetryPayloadReader(telemetry[tag].payload)) ?? nil)
        })
    }
}

extension FleetRunner {
    /// Telemetry arrays built once per group and shared by the group's devices whose streams are
    /// the same (their topics name no `{n}` or `{mac}`): one array for a group, not one per device.
    func sharedTelemetry() -> [String: [TelemetryStream]] {
        let c = configuration
        guard !c.telemetry.isEmpty, !c.telemetry.contains(where: { $0.topic.variesWithinGroup }) else { return [:] }
        var out: [String: [TelemetryStream]] = [:]
        let firsts = c.shapes?.groups.map { $0.range.lowerBound } ?? [0]
        for i in firsts where i < c.devices {
            let spec = c.deviceSpec(i)
            out[spec.group] = spec.telemetry
        }
        return out
    }

    /// Ids whose latest status the observer saw was the offline last will.
    func observedOffline() -> Set<String> {
        guard let observer else { return [] }
        let keys = observer.sync { $0.offline }
        guard !keys.isEmpty else { return [] }
        var out: Set<String> = []
        for i in 0..<configuration.devices {
            let names = configuration.deviceTopics(i)
            if let key = observer.statusPattern.key(of: names.status), keys.contains(key) { out.insert(deviceID(i)) }
        }
        return out
    }
}

extension FleetRunner {
    /// Each telemetry stream's figures at the end of the run: the reactors' tallies, the hosts'
    /// acknowledgements against what the observer received, device by device.
    func telemetryReports() -> [TelemetryStreamReport] {
        let c = configuration
        guard !c.telemetry.isEmpty, let observer else { return [] }
        var tally = TelemetryTally()
        var ledgers: [(index: Int, ledger: TelemetryLedger)] = []
        for shard in shards {
            let (t, l) = syncOn(shard.reactor) { () -> (TelemetryTally, [(Int, TelemetryLedger)]) in
                (shard.reactor.telemetry, shard.hosts.compactMap { h in h.telemetryLedger.map { (h.identity.index, $0) } })
            }
            tally.merge(t)
            ledgers += l
        }
        let observed = observer.sync { $0.telemetry }
        var reports: [TelemetryStreamReport] = []
        for (tag, stream) in c.telemetry.enumerated() {
            var r = TelemetryStreamReport(name: stream.name, topic: stream.topic.text, group: stream.group, qos: stream.qos,
                                          everyMs: stream.every.milliseconds)
            r.sent = tag < tally.sent.count ? tally.sent[tag] : 0
            r.acknowledged = tag < tally.acknowledged.count ? tally.acknowledged[tag] : 0
            if let o = observed.stream(tag) {
                r.received = o.received
                r.duplicates = o.duplicates
                r.malformed = o.malformed
                r.e2e = o.latency.summary
                if stream.qos > 0 {
                    for (index, ledger) in ledgers {
                        let acked = ledger.stream(tag)
                        guard acked.acknowledgedCount > 0 else { continue }
                        let place = c.placeholders(index)
                        guard let key = o.pattern.key(of: stream.topic.resolve(place)) else { continue }
                        if o.reader?.readsSequence == true {
                            let missing = acked.acknowledged.subtracting(o.bySeq[key] ?? SequenceSet())
                            r.lost += missing.count
                            for seq in missing where r.lostDetail.count < 100 { r.lostDetail.append((place.id, seq)) }
                        } else {
                            r.lost += max(0, acked.acknowledgedCount - (o.byCount[key] ?? 0))
                        }
                    }
                }
            }
            reports.append(r)
        }
        return reports
    }
}

extension FleetRunner {
    /// Whether every telemetry message in flight has arrived: QoS 1 acknowledged ones (or, with
    /// only QoS 0 streams, every one sent) received by the observer.
    func telemetryDrained(_ s: FleetSnapshot) -> Bool {
        guard !configuration.telemetry.isEmpty else { return true }
        let qos1 = configuration.telemetry.contains { $0.qos > 0 }
        let qos0 = configuration.telemetry.contains { $0.qos == 0 }
        if qos1 && !qos0 { return s.telemetryAcknowledged >= s.telemetrySent && s.telemetryReceived >= s.telemetryAcknowledged }
        return s.telemetryReceived >= s.telemetrySent
    }
}

extension FleetRunner {
    /// Where the devices' web servers listen and what they answered; nil without `--device-http`.
    func deviceHTTPReport() -> DeviceHTTPReport? {
        guard let web = configuration.deviceHTTP else { return nil }
        var tally = DeviceHTTPTally()
        for shard in shards { tally.merge(syncOn(shard.reactor) { shard.reactor.deviceHTTP }) }
        return DeviceHTTPReport(port: web.port, addressPattern: web.addressPattern, first: web.url(forDevice: 0),
                                requests: tally.served, bindFailures: tally.bindFailures)
    }
}
