/// ESP-IDF's provisioning service as the device runs it: requests on its endpoints, the station
/// join it asks for, its timers; and what its output means for the device's flash and life.
extension Device {
    /// The provisioning access point's SSID: the service name when ESP-IDF's service runs (the
    /// SoftAP scheme names its AP so), else `iot-ctrlr-XXXXXX`.
    var accessPointName: String {
        config.provisioning.scheme.servesProtocomm ? config.provisioning.softAP.serviceName : config.accessPointSSID
    }

    /// Whether the access point's web server gives `request` to the provisioning service: any
    /// request on its paths when it runs alone, POSTs only when the portal shares the server.
    func softAPServes(_ request: HTTPRequest) -> Bool {
        guard case .provisioning(let ap) = mode, let service = ap.softAP, service.serves(path: request.path) else { return false }
        return config.provisioning.scheme == .idfSoftAP || request.method == .post
    }

    /// In provisioning mode the service takes the station's link events, and a scan result it
    /// waits for (the portal gets it too when it also asked). Returns true when nobody else may.
    mutating func softAPTookWiFiEvent(_ event: WiFiEvent, at now: Instant, actions: inout [Action]) -> Bool {
        guard case .provisioning(let ap) = mode, let service = ap.softAP else { return false }
        if case .scanDone = event {
            guard case .scanning = service.scan else { return false }
            softAPHandle(.station(event), at: now, actions: &actions)
            return !ap.scanInFlight
        }
        softAPHandle(.station(event), at: now, actions: &actions)
        return true
    }

    /// The service's timers (the delayed join, auto-stop, the end of provisioning).
    mutating func softAPTick(at now: Instant, actions: inout [Action]) {
        guard case .provisioning(let ap) = mode, let due = ap.softAP?.deadline, due <= now else { return }
        softAPHandle(.tick, at: now, actions: &actions)
    }

    /// Runs one event through the service and carries out its output: credentials to NVS as
    /// ESP-IDF writes them (stored at `ApplyConfig`, confirmed by the join, erased by a reset),
    /// and a restart into station mode once provisioning has stopped.
    mutating func softAPHandle(_ event: SoftAPProvisioning.Event, at now: Instant, actions: inout [Action]) {
        guard case .provisioning(var ap) = mode, var service = ap.softAP else { return }
        mode = .off  // uniquely ours while it changes
        ap.softAPStorage = nil
        let out = service.handle(event, at: now, random: &random, crypto: Crypto.self)
        ap.softAPStorage = OutOfLine(service)
        mode = .provisioning(ap)
        actions.append(contentsOf: out.actions)
        switch out.storage {
        case .store(let credentials)?:
            nvs.wifiCredentials = credentials
            nvs.wifiCredentialsUnconfirmed = true
        case .confirm?:
            nvs.wifiCredentialsUnconfirmed = false
        case .erase?:
            nvs.wifiCredentials = nil
            nvs.wifiCredentialsUnconfirmed = false
        case nil:
            break
        }
        if out.refusal != nil { counters.provisioningRefusals += 1 }
        if out.sessionEstablished { counters.provisioningSessions += 1 }
        if out.restart { restart(.software, actions: &actions) }
    }
}
