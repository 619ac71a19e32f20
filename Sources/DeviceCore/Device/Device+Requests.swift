/// Requests from outside the device: OTA commands over MQTT, HTTP requests to its web server and
/// DNS queries to its access point, each routed by mode.
extension Device {
    /// An OTA command: parsed, then handed to the updater; a malformed one is logged and changes nothing.
    mutating func handleOTACommand(_ payload: [UInt8], at now: Instant, actions: inout [Action]) {
        do {
            switch try OTACommandParser(maxBytes: config.httpBodyLimit).command(payload, origin: .mqttCommand) {
            case .install(let request):
                _ = beginUpdate(request, at: now, actions: &actions)
            case .checkManifest:
                _ = checkManifest(at: now, actions: &actions)
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

/// Handlers of the device's own web server. The router has already answered 404/405/413; here each
/// endpoint does its one thing and answers (or, for `/scan`, answers later).
extension Device {
    mutating func serveLocalEndpoint(id: UInt32, _ request: HTTPRequest, at now: Instant, actions: inout [Action]) {
        var onAccessPoint = false
        if case .provisioning = mode { onAccessPoint = true }
        switch LocalRouter(bodyLimit: config.httpBodyLimit, token: config.localAPIToken, onAccessPoint: onAccessPoint).route(request) {
        case .reject(let response):
            actions.append(.httpRespond(id: id, response))
        case .endpoint(.version):
            actions.append(.httpRespond(id: id, .json(200, .object([
                JSONMember("version", .string(firmwareVersion)),
                JSONMember("project", .string(config.projectName)),
            ]))))
        case .endpoint(.info):
            actions.append(.httpRespond(id: id, .json(200, info(at: now))))
        case .endpoint(.scan):
            cycle.scans.request(id: id, at: now, timeout: config.scanTimeout, actions: &actions)
        case .endpoint(.reboot), .endpoint(.restart):
            actions.append(.httpRespond(id: id, .json(200, status("rebooting"))))
            scheduleReboot(.software, at: now, actions: &actions)
        case .endpoint(.resetWiFi):
            nvs.wifiCredentials = nil
            actions.append(.httpRespond(id: id, .json(200, status("wifi credentials cleared, rebooting"))))
            actions.append(.log(.info, "WiFi credentials erased from NVS"))
            scheduleReboot(.software, at: now, actions: &actions)
        case .endpoint(.update):
            localUpdate(id: id, request.body, force: false, at: now, actions: &actions)
        case .endpoint(.testUpdate):
            localUpdate(id: id, request.body, force: true, at: now, actions: &actions)
        }
    }

    /// `POST /update` takes an install request or `{"action":"check"}`; `POST /test_update` only an
    /// install request, forced past the version comparison (never past the signature check).
    private mutating func localUpdate(id: UInt32, _ body: [UInt8], force: Bool, at now: Instant,
                                      actions: inout [Action]) {
        let parser = OTACommandParser(maxBytes: config.httpBodyLimit)
        let command: OTACommand
        do {
            if force {
                command = .install(try parser.installRequest(body, origin: .httpTestUpdate, force: true))
            } else {
                command = try parser.command(body, origin: .httpUpdate)
            }
        } catch {
            actions.append(.httpRespond(id: id, .error(400, error.reason)))
            return
        }
        switch command {
        case .checkManifest:
            var reply: [Action] = []
            switch checkManifest(at: now, actions: &reply) {
            case .accepted: actions.append(.httpRespond(id: id, .json(202, status("checking manifest"))))
            case .refused(let code, let reason): actions.append(.httpRespond(id: id, .error(code, reason)))
            }
            actions.append(contentsOf: reply)
        case .install(let request):
            var reply: [Action] = []
            switch beginUpdate(request, at: now, actions: &reply) {
            case .accepted:
                var members = [JSONMember("status", .string("accepted")), JSONMember("url", .string(request.url))]
                if let version = request.version { members.append(JSONMember("version", .string(version))) }
                actions.append(.httpRespond(id: id, .json(202, .object(members))))
            case .refused(let status, let reason):
                actions.append(.httpRespond(id: id, .error(status, reason)))
            }
            actions.append(contentsOf: reply)
        }
    }

    /// `GET /info`: who the device is and how it is doing.
    func info(at now: Instant) -> JSONValue {
        .object([
            JSONMember("id", .string(deviceID)),
            JSONMember("mac", .string(config.macText)),
            JSONMember("chip", .string(config.chip.displayName)),
            JSONMember("firmware", .string(firmwareVersion)),
            JSONMember("project", .string(config.projectName)),
            JSONMember("state", .string(reportedState.name)),
            JSONMember("uptime_s", .int(uptime(at: now).microseconds / 1_000_000)),
            JSONMember("reset_reason", .string((nvs.lastResetReason ?? .unknown).name)),
            JSONMember("boot_count", .int(nvs.bootCount)),
            JSONMember("free_heap", .int(freeHeap)),
            JSONMember("rssi", stationRSSI.map { JSONValue.int($0) } ?? .null),
            JSONMember("ip", stationIP.map { JSONValue.string($0.text) } ?? .null),
        ])
    }

    private func status(_ text: String) -> JSONValue {
        .object([JSONMember("status", .string(text))])
    }
}
