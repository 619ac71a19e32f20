/// What the device says about itself on the status topic (periodic heartbeats, retained state
/// changes) and how its log lines reach the logs topic.
extension Device {
    /// The state the device would report now.
    public var reportedState: ReportedState {
        switch mode {
        case .off: return .off
        case .provisioning: return .provisioning
        case .station(let station):
            if cycle.pendingReboot != nil { return .rebooting }
            if otaIsTransferring { return .updating }
            return station.wifi.isConnected && station.mqtt.isConnected ? .online : .connecting
        }
    }

    /// The status message the device would publish now, numbered with the current `seq`.
    // Inlined into `publishStatus`: a call from there copied the whole device to the stack first.
    @inline(__always)
    public func heartbeat(at now: Instant) -> Heartbeat {
        Heartbeat(id: deviceID, firmware: cycle.firmwareVersion, state: reportedState,
                  uptimeSeconds: uptime(at: now).microseconds / 1_000_000, rssi: stationRSSI,
                  freeHeap: freeHeap, resetReason: nvs.lastResetReason ?? .unknown, bootCount: nvs.bootCount,
                  seq: cycle.statusSeq, timestamp: now, ota: otaHeartbeatObject)
    }

    /// Free heap per the config's model, varying with each status publish.
    @inline(__always)  // as `heartbeat(at:)`
    public var freeHeap: Int {
        fixed.config.freeHeap.freeHeap(sample: UInt64(cycle.statusSeq), seed: fixed.config.randomSeed)
    }

    var stationRSSI: Int? {
        if case .station(let s) = mode { return s.wifi.rssi }
        return nil
    }

    var stationIP: IPv4Address? {
        if case .station(let s) = mode { return s.wifi.ip }
        return nil
    }

    /// Publishes a retained status when the reported state differs from what this MQTT connection
    /// last carried (the first status after CONNACK included). Runs after every event.
    mutating func publishStateChange(at now: Instant, actions: inout [Action]) {
        guard isMQTTConnected else { return }
        let state = reportedState
        guard cycle.publishedState != state else { return }
        cycle.publishedState = state
        publishStatus(retain: true, at: now, actions: &actions)
    }

    /// The periodic heartbeat (not retained), when due. A late tick does not cause a burst.
    mutating func heartbeatTick(at now: Instant, actions: inout [Action]) {
        guard let due = cycle.nextHeartbeat, due <= now, isMQTTConnected else { return }
        publishStatus(retain: false, at: now, actions: &actions)
        var next = due + fixed.config.heartbeatInterval
        if next <= now { next = now + fixed.config.heartbeatInterval }
        cycle.nextHeartbeat = next
    }

    mutating func publishStatus(retain: Bool, at now: Instant, actions: inout [Action]) {
        cycle.statusSeq += 1
        counters.statusPublishes += 1
        let message = heartbeat(at: now)
        otaStatusPublished()
        actions.append(.mqttPublish(MQTTPublish(topic: fixed.statusTopic, payload: message.encodedBytes(),
                                                qos: min(2, max(0, fixed.config.heartbeatQoS)), retain: retain,
                                                messageID: message.seq)))
    }

    /// `actions` with each log line followed by its publish on the logs topic, when streaming is on
    /// and the session is up after the event. Publishes never log, so this cannot recurse.
    mutating func streamingLogLines(_ actions: [Action], at now: Instant) -> [Action] {
        guard fixed.config.streamLogsToMQTT, isMQTTConnected else { return actions }
        var out: [Action] = []
        out.reserveCapacity(actions.count * 2)
        let stamp = " (" + decimal(uptime(at: now).milliseconds) + ") "
        let logsTopic = topics.logs
        for action in actions {
            out.append(action)
            if case .log(let level, let text) = action {
                counters.logLinesStreamed += 1
                out.append(.mqttPublish(MQTTPublish(topic: logsTopic, payload: Array((level.letter + stamp + text).utf8),
                                                    qos: 0, retain: false)))
            }
        }
        return out
    }
}

/// The sensor task inside the device: its streams publish while the broker session is up.
extension Device {
    /// Publishes the telemetry messages due at `now` (only with a live broker session).
    mutating func telemetryTick(at now: Instant, actions: inout [Action]) {
        guard isMQTTConnected else { return }
        let device = TelemetryContext(fixed: fixed, uptimeSeconds: uptime(at: now).microseconds / 1_000_000)
        actions = telemetry.tick(at: now, device: device, continuing: TelemetryTask.Output(continuing: &actions)).actions
    }

    /// Telemetry messages published so far, per configured stream (kept across reboots).
    public var telemetryPublished: [Int] { telemetry.published }
}
