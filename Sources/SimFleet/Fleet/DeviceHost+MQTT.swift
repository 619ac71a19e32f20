import CMosquitto
import DeviceCore

/// MQTT for a device: connecting with its options, publishing with delivery bookkeeping, and
/// libmosquitto's callbacks turned into queued events.
extension DeviceHost: MosquittoClientDelegate {
    func connect(_ options: MQTTConnectOptions, now: Instant) {
        if runsBrokenRelease {
            // A bad build (`FleetOTAOptions.brokenReleases`): its connect fails before the socket.
            note(.connectFailed, -1)
            queued.append(.mqtt(.connectFailed(code: -1)))
            return
        }
        if client == nil {
            client = MosquittoClient(clientID: options.clientID, options: mqttOptions, delegate: self, reactor: reactor, slot: slot)
            if let tls = endpoint.tls, let created = client {
                let rc = created.setTLS(caFile: tls.caFile, certFile: tls.certFile, keyFile: tls.keyFile)
                guard rc == 0 else {
                    // Never a plain-text connection instead: the device stays off the broker, counted.
                    client = nil
                    attempts += 1
                    note(.tlsSetup, rc)
                    queued.append(.mqtt(.connectFailed(code: -1)))
                    return
                }
            }
        }
        guard let client else {
            counters.count(.clientCreation)
            queued.append(.mqtt(.connectFailed(code: -1)))
            return
        }
        client.setCredentials(username: options.username, password: options.password)
        if let will = options.will {
            client.setWill(topic: will.topic, payload: will.payload, qos: Int32(will.qos), retain: will.retain)
        } else {
            client.clearWill()
        }
        connectStartedAt = now
        attempts += 1
        setLink(.connecting)
        let via = proxied ? reactor.faultProxy.map { ($0, identity.index) } : nil
        let rc = client.connect(host: endpoint.host, port: Int32(endpoint.port), keepAlive: Int32(options.keepAliveSeconds),
                                bindAddress: endpoint.bindAddress, through: via)
        if rc != 0 {
            note(.connectFailed, rc)
            setLink(.waiting)
            queued.append(.mqtt(.connectFailed(code: -Int(rc))))
        }
    }

    func publish(_ p: MQTTPublish) {
        guard let client, link == .online else {
            counters.count(.publishFailed)
            return
        }
        let r = client.publish(topic: p.topic, payload: p.payload, qos: Int32(p.qos), retain: p.retain, status: p.messageID != nil)
        // A QoS 1 publish on a connection that has just died (no connection, connection lost, a
        // failed write) returns an error, but libmosquitto has already queued it and sends it after
        // the reconnect: it is sent, and its PUBACK counts.
        let queued = p.qos > 0 && [MOSQ_ERR_NO_CONN.rawValue, MOSQ_ERR_CONN_LOST.rawValue, MOSQ_ERR_ERRNO.rawValue].contains(r.rc)
        guard r.rc == 0 || queued else {
            counters.count(.publishFailed)
            return
        }
        if let seq = p.messageID {
            if let tag = p.telemetryStream { return telemetrySent(tag: tag, seq: seq, mid: r.mid, qos: p.qos) }
            counters.bump(counters.sent)
            // Kept by delivery key (boot count and seq), as the observer keeps what it receives; the
            // boot count is the core's, the one it wrote into this payload.
            if p.qos > 0 { unacknowledged.insert(mid: r.mid, key: HeartbeatFields.deliveryKey(seq: seq, bootCount: firmware.bootCount)) }
        }
    }

    /// The device drops its link on purpose (a restart, a power fault the scenario injected): an
    /// online session ending this way is a planned disconnect, not an error. The link is off before
    /// the socket closes, so libmosquitto's disconnect callback counts nothing.
    func endLinkAsPlanned(_ cause: PlannedDisconnect) {
        if link == .online { counters.countPlanned(cause) }
        setLink(.off)
    }

    /// Moves the link to `new` and keeps the `connecting` and `online` gauges and the link ledger with it.
    func setLink(_ new: LinkState) {
        let old = link
        guard new != old else { return }
        advance(.link(new))
        switch old {
        case .connecting: counters.bump(counters.connecting, by: -1)
        case .online:
            counters.bump(counters.online, by: -1)
            reactor.linkLedger.record(device: identity.index, up: false, at: HostClock.now().microseconds)
            ledgerHasLoss = true
        default: break
        }
        switch new {
        case .connecting: counters.bump(counters.connecting)
        case .online:
            counters.bump(counters.online)
            if ledgerHasLoss { reactor.linkLedger.record(device: identity.index, up: true, at: HostClock.now().microseconds) }
        default: break
        }
    }

    // MARK: - MosquittoClientDelegate (inside libmosquitto calls: record and queue only)

    func mqttConnected(returnCode: Int32) {
        // A CONNACK read from a socket a power cut closed: the device, off, never hears it.
        guard life.isPoweredOn else { return }
        guard returnCode == 0 else {
            note(.connectRefused, returnCode)
            countReason(mqttOptions.version == .v5 ? returnCode : MQTTReasonCode.fromConnack(returnCode))
            setLink(.waiting)
            queued.append(.mqtt(.connectFailed(code: Int(returnCode))))
            return
        }
        let now = HostClock.now()
        lastConnectedAt = now
        if let started = connectStartedAt {
            reactor.connectLatency.record(microseconds: (now - started).microseconds)
            reactor.live?.connect.append((now - started).microseconds)
        }
        if everConnected { counters.bump(counters.reconnects) } else {
            everConnected = true
            counters.bump(counters.everConnected)
            counters.lastFirstConnectMicros.store(Int(now.microseconds), ordering: .relaxed)
        }
        setLink(.online)
        queued.append(.mqtt(.connected))
    }

    func mqttDisconnected(returnCode: Int32) {
        // MQTT 5: a DISCONNECT from the broker carries its reason (session taken over, server busy…);
        // libmosquitto's own error codes are all below 0x80.
        if mqttOptions.version == .v5 && returnCode >= 0x80 { countReason(returnCode) }
        switch link {
        case .connecting:
            note(.connectFailed, returnCode)
            setLink(.waiting)
            queued.append(.mqtt(.connectFailed(code: -1)))
        case .online:
            if returnCode != 0 { counters.count(.disconnected) }
            setLink(.waiting)
            queued.append(.mqtt(.disconnected))
        case .waiting, .off:
            break  // the refusal or power cut was already reported
        }
    }

    func note(_ kind: FleetErrorKind, _ rc: Int32) {
        counters.count(kind)
        lastError = kind
        lastReturnCode = rc
    }

    private func countReason(_ code: Int32?) {
        if let code { counters.count(reasonCode: code) }
    }

    func mqttPublishRefused(mid: Int32, reasonCode: Int32) {
        // Refused by the broker (MQTT 5 PUBACK/PUBREC reason): never delivered, so never counted as
        // acknowledged; it stays in `messages.unacknowledged` and is named in `errors`.
        guard unacknowledged.remove(mid: mid) != nil else { return }
        counters.count(.publishRefused)
        countReason(reasonCode)
    }

    func mqttPublished(mid: Int32) {
        guard let key = unacknowledged.remove(mid: mid) else {
            _ = telemetryAcknowledged(mid: mid)  // telemetry PUBACKs are the host's alone: the device never sees them
            return
        }
        acknowledged.insert(key)
        counters.bump(counters.acknowledged)
        // We are inside libmosquitto's callback. With nothing queued, the PUBACK goes straight to the
        // device: it never makes the device act, and the queue's buffer, released after every drain,
        // would otherwise be allocated again for each heartbeat. With events queued it waits its turn:
        // draining them here would perform their actions inside the callback.
        let event = Event.mqtt(.published(messageID: HeartbeatFields.seq(ofKey: key)))
        if queued.isEmpty { deliver(event) } else { queued.append(event) }
    }

    func mqttMessage(topic: UnsafeBufferPointer<UInt8>, payload: UnsafeRawBufferPointer) {
        if !probes.isEmpty || probeWasAllowed {
            // Traffic on a probe subscription is evidence for the ACL verdict, not input for the firmware.
            let t = String(decoding: topic, as: UTF8.self)
            if let p = probes.firstIndex(where: { $0.topic == t }) {
                probes.remove(at: p)
                counters.bump(counters.aclAllowed)
                probeWasAllowed = true
                return
            }
            if probeWasAllowed && t != firmware.topics.ota { return }
        }
        queued.append(.mqtt(.message(topic: String(decoding: topic, as: UTF8.self),
                                     payload: DeviceHost.inboundPayload(payload, limit: firmware.config.httpBodyLimit))))
    }

    /// What of a message the device gets: at most `limit + 1` bytes, enough for its parser to refuse
    /// an oversized one ("body larger than 4096 bytes") without a copy of the whole payload, as a
    /// chip reading into a fixed buffer would (libmosquitto has already received it all).
    static func inboundPayload(_ payload: UnsafeRawBufferPointer, limit: Int) -> [UInt8] {
        Array(payload.prefix(max(0, limit) + 1))
    }

    func mqttSubscribed(mid: Int32, granted: [Int32]) {
        if let p = probes.firstIndex(where: { $0.mid == mid }) {
            if granted.contains(where: { $0 >= 0x80 }) {
                probes.remove(at: p)
                counters.bump(counters.aclRefused)
            } else {
                probes[p].verdictAt = HostClock.now() + DeviceHost.probeWindow
                reschedule()
            }
            return
        }
        guard let i = subscriptions.firstIndex(where: { $0.mid == mid }) else { return }
        let topic = subscriptions[i].topic
        subscriptions.remove(at: i)
        if subscriptions.isEmpty { subscriptions = [] }  // do not keep the buffer between connections
        if granted.contains(where: { $0 >= 0x80 }) {
            counters.count(.subscribeRefused)
            queued.append(.mqtt(.subscribeRefused(topic: topic)))
        }
    }
}
