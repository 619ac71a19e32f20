import DeviceCore
import DeviceTestKit

/// What the virtual-time host does with each action — the socket host's (`DeviceHost`) behaviour
/// with the scripted backend in place of libmosquitto, libcurl and Mosquitto: the same station
/// join (`DeviceIdentity.stationJoin`), the same power-cut and link-impairment rules (`HostFaults`),
/// the same chip (`DeviceChip`), the same counters.
extension VirtualPartition {
    func perform(_ slot: Int, _ action: Action) {
        let now = simulation.now
        switch action {
        case .wifiConnect:
            if let until = hosts[slot].wifiDownUntil, now < until {
                enqueue(.wifi(.connectFailed(.noAPFound)))
            } else {
                hosts[slot].wifiDownUntil = nil
                enqueue(.wifi(hosts[slot].identity.stationJoin))
            }
        case .wifiDisconnect:
            dropConnection(slot)
        case .wifiScan:
            enqueue(.wifi(.scanDone([])))
        case .mqttConnect:
            connect(slot)
        case .mqttDisconnect:
            // A clean DISCONNECT: no will; libmosquitto reports the end of the connection back.
            if hosts[slot].link == .online { enqueue(.mqtt(.disconnected)) }
            hosts[slot].connection += 1
            hosts[slot].subscribedOTA = false
            setLink(slot, .waiting)
        case .mqttSubscribe(let topic, _):
            guard hosts[slot].link == .online else { return }
            if topic == hosts[slot].firmware.topics.ota {
                hosts[slot].subscribedOTA = true
            } else {
                counters.count(.subscribeRefused)  // the embedded broker's ACL: own topics only
                enqueue(.mqtt(.subscribeRefused(topic: topic)))
            }
        case .mqttPublish(let p):
            send(slot, p)
        case .reboot(let reason):
            setVersion(slot, hosts[slot].firmware.firmwareVersion)
            dropConnection(slot)
            setLink(slot, .off)
            hosts[slot].generation += 1
            head = queue.count  // what was queued belonged to the firmware that is gone
            if let boot = bootChip(slot, reason) { enqueue(.powerOn(reason, boot: boot)) }
        case .startDownload(let url, let rangeStart):
            if let d = hosts[slot].download { origin.cancel(d) }
            counters.bump(counters.downloadsStarted)
            let generation = hosts[slot].generation
            hosts[slot].download = origin.get(url, rangeStart: rangeStart, client: hosts[slot].identity.id) { [unowned self] event in
                guard self.hosts[slot].generation == generation else { return }
                switch event {
                case .finished: self.hosts[slot].download = nil
                case .failed:
                    self.hosts[slot].download = nil
                    self.counters.bump(self.counters.downloadsFailed)
                default: break
                }
                self.deliver(slot, .download(event))
            }
        case .cancelDownload:
            if let d = hosts[slot].download { origin.cancel(d) }
            hosts[slot].download = nil
            hosts[slot].chip?.settle()
        case .flash(let operation):
            if cutsPower(slot, during: operation) { return }
            _ = hosts[slot].chip?.perform(action)
        case .burnSecureVersion:
            if plantedBug == .eFuseBurnLostOnTornWrite { hosts[slot].efusesBeforeBurn = hosts[slot].chip?.efuses }
            _ = hosts[slot].chip?.perform(action)
        case .httpRespond, .dnsRespond, .startAccessPoint, .stopAccessPoint, .log:
            break
        }
    }

    /// A power cut armed for this flash operation: the scenario's (`HostFaults`: the operation does
    /// not land) or the swarm's (it lands torn). True when power went.
    private func cutsPower(_ slot: Int, during operation: FlashOperation) -> Bool {
        if hosts[slot].faultCell != nil,
           hosts[slot].faultCell!.value.cutsPower(before: .flash(operation), updating: hosts[slot].firmware.isUpdating) {
            counters.bump(counters.powerCutsDuringFlash)
            powerCycle(slot, offFor: hosts[slot].faults.powerCutOff)
            return true
        }
        guard var cut = hosts[slot].tornCut else { return false }
        cut.seen += 1
        hosts[slot].tornCut = cut
        guard cut.seen >= cut.atOperation else { return false }
        hosts[slot].tornCut = nil
        simulation.note(hosts[slot].identity.id + ": power cut during flash operation " + String(cut.seen) + " ("
                        + String(cut.numerator) + "/" + String(cut.denominator) + " of it lands)")
        hosts[slot].chip?.cutPower(during: operation, numerator: cut.numerator, denominator: cut.denominator)
        if plantedBug == .eFuseBurnLostOnTornWrite, let before = hosts[slot].efusesBeforeBurn {
            hosts[slot].chip?.restoreEFusesForPlantedBug(before)
        }
        counters.bump(counters.powerCutsDuringFlash)
        powerCycle(slot, offFor: cut.off)
        return true
    }

    // MARK: - MQTT against the scripted broker

    func setLink(_ slot: Int, _ new: VirtualHost.Link) {
        let old = hosts[slot].link
        guard new != old else { return }
        switch old {
        case .connecting: counters.bump(counters.connecting, by: -1)
        case .online: counters.bump(counters.online, by: -1)
        default: break
        }
        switch new {
        case .connecting: counters.bump(counters.connecting)
        case .online: counters.bump(counters.online)
        default: break
        }
        hosts[slot].advance(.link(new))
    }

    func note(_ slot: Int, _ kind: FleetErrorKind, _ rc: Int) {
        counters.count(kind)
        hosts[slot].lastError = kind
        hosts[slot].lastReturnCode = rc
    }

    func isPartitioned(_ slot: Int) -> Bool {
        guard let until = hosts[slot].partitionedUntil else { return false }
        if now >= until {
            hosts[slot].partitionedUntil = nil
            return false
        }
        return true
    }

    /// CONNACK after a round trip; a refusal when the broker is down or the release is broken
    /// (`FleetOTAOptions.brokenReleases`, as the socket host refuses it); no answer at all across a
    /// partition (the firmware's own connect timeout decides).
    private func connect(_ slot: Int) {
        if hosts[slot].chip?.runsBrokenRelease ?? false {
            note(slot, .connectFailed, -1)
            enqueue(.mqtt(.connectFailed(code: -1)))
            return
        }
        hosts[slot].attempts += 1
        hosts[slot].connectStartedAt = now
        hosts[slot].connection += 1
        setLink(slot, .connecting)
        if isPartitioned(slot) { return }
        let generation = hosts[slot].generation
        let connection = hosts[slot].connection
        simulation.schedule(at: now + oneWay + oneWay) { [unowned self] in
            guard self.hosts[slot].generation == generation, self.hosts[slot].connection == connection else { return }
            self.deliver(slot, self.connackArrived(slot))
        }
    }

    /// The broker's answer to a connect, a round trip after it: CONNACK, or a refusal when it is down.
    func connackArrived(_ slot: Int) -> Event {
        guard brokerUp, !isPartitioned(slot) else {
            note(slot, .connectFailed, -1)
            setLink(slot, .waiting)
            return .mqtt(.connectFailed(code: -1))
        }
        hosts[slot].lastConnectedAt = now
        if let started = hosts[slot].connectStartedAt { connectLatency.record(microseconds: (now - started).microseconds) }
        if hosts[slot].everConnected {
            counters.bump(counters.reconnects)
        } else {
            hosts[slot].everConnected = true
            counters.bump(counters.everConnected)
            counters.lastFirstConnectMicros.store(Int(now.microseconds), ordering: .relaxed)
        }
        hosts[slot].subscribedOTA = false
        setLink(slot, .online)
        return .mqtt(.connected)
    }

    /// Publishes now, or later on an impaired link (the same rule as the socket host).
    private func send(_ slot: Int, _ p: MQTTPublish) {
        guard hosts[slot].faultCell != nil, hosts[slot].faults.latency != nil || hosts[slot].faults.loss > 0
                || !hosts[slot].faults.delayed.isEmpty else { return publish(slot, p) }
        let (due, lost) = hosts[slot].faultCell!.value.publishDue(now: now)
        if lost > 0 { counters.bump(counters.packetsLost, by: lost) }
        hosts[slot].faultCell!.value.delayed.append((due, p))
        let generation = hosts[slot].generation
        simulation.schedule(at: due) { [unowned self] in
            guard self.hosts[slot].generation == generation else { return }
            while let first = self.hosts[slot].faults.delayed.first, first.due <= self.now {
                self.hosts[slot].faultCell!.value.delayed.removeFirst()
                self.publish(slot, first.publish)
            }
            self.drain(slot)
        }
    }

    /// The broker takes the publish: the observer (subscribed to every status topic) records it and
    /// a QoS 1 heartbeat is acknowledged. The hot path.
    private func publish(_ slot: Int, _ p: MQTTPublish) {
        guard hosts[slot].link == .online, brokerUp, !isPartitioned(slot) else {
            counters.count(.publishFailed)
            return
        }
        guard let seq = p.messageID else { return }
        counters.bump(counters.sent)
        let fields = HeartbeatFields(statusPayload: p.payload)
        let key = fields?.deliveryKey ?? seq
        if let fields, hosts[slot].received.insert(key) {
            received += 1
            if let ts = fields.timestampMicros { e2e.record(microseconds: now.microseconds + oneWay.microseconds - ts) }
            hosts[slot].observedOffline = false
            if monitored { monitor?.received(self, slot: slot, fields: fields, payload: p.payload) }
            if statusLog != nil { statusLog![slot, default: []].append(p.payload) }
        }
        if p.qos > 0 {
            hosts[slot].acknowledged.insert(key)
            counters.bump(counters.acknowledged)
            enqueue(.mqtt(.published(messageID: seq)))
        }
    }

    /// The connection dies without a DISCONNECT (power, WiFi, a storm): the broker publishes the
    /// will (the observer sees the device offline) and the firmware hears it, as from libmosquitto.
    func dropConnection(_ slot: Int) {
        switch hosts[slot].link {
        case .online:
            counters.count(.disconnected)
            hosts[slot].observedOffline = true
            if statusLog != nil { statusLog![slot, default: []].append(Array(#"{"state":"offline"}"#.utf8)) }
            setLink(slot, .waiting)
            enqueue(.mqtt(.disconnected))
        case .connecting:
            note(slot, .connectFailed, -1)
            setLink(slot, .waiting)
            enqueue(.mqtt(.connectFailed(code: -1)))
        case .waiting, .off:
            break
        }
        hosts[slot].connection += 1
        hosts[slot].subscribedOTA = false
        if let d = hosts[slot].download {
            origin.cancel(d)
            hosts[slot].download = nil
        }
    }
}
