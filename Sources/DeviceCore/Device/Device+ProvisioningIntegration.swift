// PROVISIONING INTEGRATION POINT. In provisioning mode every HTTP request and DNS query of the
// access point comes through here; the captive portal itself lives in `Device+Provisioning.swift`.

extension Device {
    /// Answers an HTTP request made to the access point: the captive portal, plus the device's
    /// local endpoints (`/version`, `/info`, ...) on the portal's own host.
    mutating func provisioningResponse(for id: UInt32, _ request: HTTPRequest, at now: Instant,
                                       actions: inout [Action]) {
        portalResponse(for: id, request, at: now, actions: &actions)
    }

    /// Answers a DNS query to the access point (every A name → the AP address); nil drops it.
    func dnsResponse(for query: [UInt8]) -> [UInt8]? {
        portalDNSResponse(for: query)
    }
}
