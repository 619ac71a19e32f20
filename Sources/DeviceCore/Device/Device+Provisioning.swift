// PROVISIONING INTEGRATION POINT. In provisioning mode every HTTP request and DNS query of the
// access point comes through here; the captive portal (`CaptivePortal`) and ESP-IDF's provisioning
// service (`SoftAPProvisioning`) are routed to below.

extension Device {
    /// Answers an HTTP request made to the access point: the captive portal, plus the device's
    /// local endpoints (`/version`, `/info`, ...) on the portal's own host.
    mutating func provisioningResponse(for id: UInt32, _ request: HTTPRequest, at now: Instant,
                                       actions: inout [Action]) {
        if softAPServes(request) {
            softAPHandle(.request(id: id, request), at: now, actions: &actions)
        } else if config.provisioning.scheme.servesPortal {
            portalResponse(for: id, request, at: now, actions: &actions)
        } else if isLocalEndpointPath(request.path) {
            serveLocalEndpoint(id: id, request, at: now, actions: &actions)
        } else {
            actions.append(.httpRespond(id: id, .text(404, "This URI does not exist\n")))
        }
    }

    /// Answers a DNS query to the access point (every A name → the AP address); nil drops it.
    /// ESP-IDF's SoftAP scheme alone runs no DNS server.
    func dnsResponse(for query: [UInt8]) -> [UInt8]? {
        config.provisioning.scheme.servesPortal ? portalDNSResponse(for: query) : nil
    }
}

/// Provisioning as the device runs it: open the access point with its captive portal, answer the
/// portal's HTTP and DNS, store what `POST /save` accepted and reboot into station mode; and when
/// those credentials keep failing to join, come back to the portal saying why.
extension Device {
    /// Opens the SoftAP and its portal (showing `lastFailure`, if any) and scans for the network list.
    /// With ESP-IDF's provisioning service in the scheme, the access point is named after its
    /// service name (the SoftAP scheme's SSID) and the service starts with it.
    mutating func enterProvisioning(lastFailure: ProvisioningFailure?, actions: inout [Action]) {
        let p = config.provisioning
        let portal = CaptivePortal(config: p.portalConfig(deviceID: deviceID), lastFailure: lastFailure)
        let softAP = p.scheme.servesProtocomm ? SoftAPProvisioning(config: p.softAP) : nil
        let ap = ProvisioningMode(ssid: accessPointName, address: p.address,
                                  portal: portal, scanInFlight: p.scheme.servesPortal, softAP: softAP)
        actions.append(.startAccessPoint(ssid: ap.ssid, address: ap.address))
        if p.scheme.servesPortal { actions.append(.wifiScan) }
        if p.scheme.servesProtocomm {  // not `softAP != nil`: that links SoftAPProvisioning's == (7 KB on the chip)
            actions.append(.log(.info, "provisioning started with service name " + p.softAP.serviceName + ", security "
                                + decimal(Int64(p.softAP.security.version))))
        }
        mode = .provisioning(ap)
    }

    /// Routes a request to the portal, or to a local endpoint (`/version`, `/info`, ...) when it
    /// names one on the portal's own host. The portal's notice `.saved` goes to NVS, then the
    /// reboot is scheduled at the portal's `deadline`.
    mutating func portalResponse(for id: UInt32, _ request: HTTPRequest, at now: Instant, actions: inout [Action]) {
        guard case .provisioning(var ap) = mode else { return }
        if ap.portal.config.isOwnHost(request.host), isLocalEndpointPath(request.path) {
            serveLocalEndpoint(id: id, request, at: now, actions: &actions)
            return
        }
        mode = .off  // the portal is now uniquely ours: no copy-on-write of its box
        let out = ap.portal.handle(request, id: id, at: now)
        actions.append(out)  // the response (and a save's log line); a refusal is already answered there
        if case .saved(let credentials)? = out.notice {
            nvs.wifiCredentials = credentials
            nvs.wifiCredentialsUnconfirmed = true
            let at = ap.portal.deadline ?? now
            cycle.pendingReboot = PendingReboot(at: at, reason: .software)
            actions.append(.log(.info, "WiFi credentials stored; restart in "
                                + decimal((at - now).milliseconds) + " ms to join \"" + credentials.ssid + "\""))
        }
        mode = .provisioning(ap)
    }

    /// `/scan` is the portal's own; the other local endpoints keep working in AP mode.
    func isLocalEndpointPath(_ path: String) -> Bool {
        for e in LocalEndpoint.allCases where e != .scan && e.path == path { return true }
        return false
    }

    /// The DNS hijack: the AP address for every A query.
    func portalDNSResponse(for query: [UInt8]) -> [UInt8]? {
        guard case .provisioning(let ap) = mode else { return nil }
        return DNSResponder(address: ap.address, ttl: config.provisioning.dnsTTL).respond(to: query)
    }

    /// In provisioning mode a scan result the portal asked for becomes its network list.
    /// Returns true when the event was the portal's.
    mutating func portalTookScanResult(_ event: WiFiEvent, actions: inout [Action]) -> Bool {
        guard case .scanDone(let networks) = event, case .provisioning(var ap) = mode, ap.scanInFlight else { return false }
        mode = .off  // uniquely ours while it changes
        ap.scanInFlight = false
        ap.portal.networks = networks
        mode = .provisioning(ap)
        actions.append(.log(.info, "portal: " + decimal(Int64(networks.count)) + " networks scanned"))
        return true
    }

    /// After a station event: a join confirms portal-given credentials; too many failed joins with
    /// unconfirmed ones (wrong password, network not found) reopen the portal with the reason.
    mutating func provisioningAfterJoin(_ event: WiFiEvent, actions: inout [Action]) {
        guard nvs.wifiCredentialsUnconfirmed, case .station(let station) = mode else { return }
        switch (event, station.wifi.state) {
        case (.connected, .connected):
            nvs.wifiCredentialsUnconfirmed = false
        case (.connectFailed(let reason), .backingOff(_, let failures)),
             (.disconnected(let reason), .backingOff(_, let failures)):
            guard reason == .authFailed || reason == .noAPFound,
                  let limit = config.provisioning.fallbackAfterFailedJoins, failures >= limit else { return }
            let failure = ProvisioningFailure(ssid: station.wifi.credentials.ssid, reason: reason, attempts: failures)
            actions.append(.log(.warning, failure.text + "; reopening the provisioning portal"))
            actions.append(.wifiDisconnect)
            enterProvisioning(lastFailure: failure, actions: &actions)
        default:
            break
        }
    }
}

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
