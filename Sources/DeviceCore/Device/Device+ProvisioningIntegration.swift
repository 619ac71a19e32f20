// PROVISIONING INTEGRATION POINT. The captive portal (branch `portal`) replaces these bodies: in
// provisioning mode every HTTP request and DNS query of the access point comes through here.

extension Device {
    /// Answers an HTTP request made to the access point. For now: only the local endpoints.
    mutating func provisioningResponse(for id: UInt32, _ request: HTTPRequest, at now: Instant,
                                       actions: inout [Action]) {
        serveLocalEndpoint(id: id, request, at: now, actions: &actions)
    }

    /// Answers a DNS query to the access point; nil drops it. For now nothing is answered.
    func dnsResponse(for query: [UInt8]) -> [UInt8]? { nil }
}
