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
