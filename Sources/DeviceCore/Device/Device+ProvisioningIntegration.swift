// PROVISIONING INTEGRATION POINT. In provisioning mode every HTTP request and DNS query of the
// access point comes through here; the captive portal itself lives in `Device+Provisioning.swift`,
// ESP-IDF's provisioning service in `Device+SoftAPProvisioning.swift`.

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
