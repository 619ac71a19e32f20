/// Routing of WiFi and MQTT events to the station's sub-machines, and what the device does when the
/// link or the broker session comes and goes.
extension Device {
    mutating func handleWiFi(_ event: WiFiEvent, at now: Instant, actions: inout [Action]) {
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
        let change = station.wifi.handle(event, at: now, random: &random, actions: &actions, counters: &counters)
        switch change {
        case nil:
            ignore("WiFi " + event.name, actions: &actions)
        case .up?:
            station.mqtt.networkUp(actions: &actions, counters: &counters)
        case .down?:
            station.mqtt.networkDown(actions: &actions)
            brokerSessionEnded()
        case .none?:
            break
        }
        mode = .station(station)
    }

    mutating func handleMQTT(_ event: MQTTEvent, at now: Instant, actions: inout [Action]) {
        guard case .station(var station) = mode else {
            ignore("MQTT " + event.name, actions: &actions)
            return
        }
        switch event {
        case .connected, .connectFailed, .disconnected:
            let wasConnected = station.mqtt.isConnected
            let legal = station.mqtt.handle(event, at: now, random: &random, actions: &actions, counters: &counters)
            mode = .station(station)
            if !legal {
                ignore("MQTT " + event.name, actions: &actions)
            } else if !wasConnected && station.mqtt.isConnected {
                brokerSessionStarted(at: now, actions: &actions)
            } else if wasConnected && !station.mqtt.isConnected {
                brokerSessionEnded()
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
        otaBrokerConnected(at: now, actions: &actions)
    }

    mutating func brokerSessionEnded() {
        cycle.publishedState = nil
        cycle.nextHeartbeat = nil
    }

    /// An OTA command: parsed, then handed to the updater; a malformed one is logged and changes nothing.
    mutating func handleOTACommand(_ payload: [UInt8], at now: Instant, actions: inout [Action]) {
        do {
            switch try OTACommandParser(maxBytes: config.httpBodyLimit).command(payload, origin: .mqttCommand) {
            case .install(let request):
                _ = beginUpdate(request, at: now, actions: &actions)
            case .checkManifest:
                checkManifest(at: now, actions: &actions)
            }
        } catch {
            counters.rejectedCommands += 1
            actions.append(.log(.warning, "OTA command rejected: " + error.reason))
        }
    }

    mutating func handleHTTP(id: UInt32, _ request: HTTPRequest, at now: Instant, actions: inout [Action]) {
        switch mode {
        case .off:
            ignore("HTTP request", actions: &actions)
        case .station:
            counters.httpRequests += 1
            serveLocalEndpoint(id: id, request, at: now, actions: &actions)
        case .provisioning:
            counters.httpRequests += 1
            provisioningResponse(for: id, request, at: now, actions: &actions)
        }
    }

    mutating func handleDNS(id: UInt32, _ query: [UInt8], at now: Instant, actions: inout [Action]) {
        guard case .provisioning = mode else {
            ignore("DNS query outside provisioning", actions: &actions)
            return
        }
        actions.append(.dnsRespond(id: id, dnsResponse(for: query)))
    }

    /// Whether the device has a live broker session (CONNACK received, not lost since).
    public var isMQTTConnected: Bool {
        if case .station(let s) = mode { return s.mqtt.isConnected }
        return false
    }
}

extension WiFiEvent {
    /// Short name for logs, e.g. `connectFailed`.
    var name: String {
        switch self {
        case .connected: return "connected"
        case .connectFailed(let r): return "connectFailed(" + r.name + ")"
        case .disconnected(let r): return "disconnected(" + r.name + ")"
        case .scanDone: return "scanDone"
        }
    }
}

extension MQTTEvent {
    /// Short name for logs, e.g. `connectFailed(5)`.
    var name: String {
        switch self {
        case .connected: return "connected"
        case .connectFailed(let code): return "connectFailed(" + decimal(Int64(code)) + ")"
        case .disconnected: return "disconnected"
        case .message: return "message"
        case .published: return "published"
        case .subscribeRefused: return "subscribeRefused"
        }
    }
}
