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
