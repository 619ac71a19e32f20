/// Routing of WiFi and MQTT events to the station's sub-machines, and what the device does when the
/// link or the broker session comes and goes.
extension Device {
    mutating func handleWiFi(_ event: WiFiEvent, at now: Instant, actions: inout [Action]) {
        if softAPTookWiFiEvent(event, at: now, actions: &actions) { return }
        if portalTookScanResult(event, actions: &actions) { return }
        if case .scanDone(let networks) = event {
            guard !mode.isOff, cycle.scans.complete(networks, actions: &actions) else {
                ignore("WiFi scan result nobody asked for", actions: &actions)
                return
            }
            return
        }
        guard case .station(var station) = mode else {
            ignore("WiFi " + event.name, actions: &actions)
            return
        }
        let out = station.wifi.handle(event, at: now, backoff: config.backoff, random: &random, counters: &counters,
                                      continuing: WiFiStation.Output(continuing: &actions))
        actions = out.actions
        if case .unexpectedEvent? = out.refusal { ignore("WiFi " + event.name, actions: &actions) }
        switch out.notice {
        case .up?:
            actions = station.mqtt.networkUp(at: now, timing: config.linkTiming, options: { [fixed] in fixed.connectOptions },
                                             counters: &counters, continuing: MQTTSession.Output(continuing: &actions)).actions
        case .down?:
            actions = station.mqtt.networkDown(continuing: MQTTSession.Output(continuing: &actions)).actions
            brokerSessionEnded()  // whether a session was up or not: the heartbeat and telemetry stop
        case nil:
            break
        }
        mode = .station(station)
        provisioningAfterJoin(event, actions: &actions)
    }

    mutating func handleMQTT(_ event: MQTTEvent, at now: Instant, actions: inout [Action]) {
        guard case .station(var station) = mode else {
            ignore("MQTT " + event.name, actions: &actions)
            return
        }
        switch event {
        case .connected, .connectFailed, .disconnected:
            let out = station.mqtt.handle(event, at: now, timing: config.linkTiming, random: &random, counters: &counters,
                                          continuing: MQTTSession.Output(continuing: &actions))
            actions = out.actions
            mode = .station(station)
            if case .unexpectedEvent? = out.refusal { ignore("MQTT " + event.name, actions: &actions) }
            switch out.notice {
            case .started?: brokerSessionStarted(at: now, actions: &actions)
            case .ended?: brokerSessionEnded()
            case nil: break
            }
        case .message(let topic, let payload):
            guard station.mqtt.isConnected else {
                ignore("MQTT message while not connected", actions: &actions)
                return
            }
            guard topic == topics.ota else {
                ignore("MQTT message on unknown topic " + topic, actions: &actions)
                return
            }
            handleOTACommand(payload, at: now, actions: &actions)
        case .published:
            break  // delivery accounting is the host's; the device has nothing to do
        case .subscribeRefused(let topic):
            actions.append(.log(.error, "broker refused subscription to " + topic + ": OTA commands will not arrive"))
        }
    }

    /// CONNACK accepted: listen for OTA commands, start the heartbeat; the status publish follows
    /// from the state change (`publishStateChange`).
    mutating func brokerSessionStarted(at now: Instant, actions: inout [Action]) {
        actions.append(.mqttSubscribe(topic: topics.ota, qos: 1))
        cycle.publishedState = nil
        cycle.nextHeartbeat = now + config.heartbeatInterval
        if !telemetry.isEmpty { telemetry.sessionStarted(at: now, streams: config.telemetry) }
        otaBrokerConnected(at: now, actions: &actions)
    }

    mutating func brokerSessionEnded() {
        cycle.publishedState = nil
        cycle.nextHeartbeat = nil
        if !telemetry.isEmpty { telemetry.sessionEnded() }
    }

    /// Whether the station is associated and has an address: its own web server can be reached.
    public var isStationUp: Bool {
        if case .station(let s) = mode { return s.wifi.isConnected }
        return false
    }

    /// Whether the device has a live broker session (CONNACK received, not lost since).
    public var isMQTTConnected: Bool {
        if case .station(let s) = mode { return s.mqtt.isConnected }
        return false
    }
}
