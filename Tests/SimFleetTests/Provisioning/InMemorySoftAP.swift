import DeviceCore
import XCTest
@testable import SimFleet

/// ESP-IDF's provisioning service (DeviceCore's `SoftAPProvisioning` with OpenSSL crypto) behind
/// the client's transport interface, without sockets: each POST is a request on a virtual clock
/// that moves 100 ms per request, the service's deadlines fire in order, and its radio actions
/// are answered by a `SimulatedRadio`. Holds a cookie and a connection number like a client.
final class InMemorySoftAP: ProvisioningTransport {
    var service: SoftAPProvisioning
    var random: SeededRandom
    var now = Instant(milliseconds: 1_000_000)
    let radio: SimulatedRadio
    var connection: UInt32 = 1
    var cookie: String?
    /// Every refusal the service made, in order.
    private(set) var refusals: [SoftAPRefusal] = []
    private(set) var storage: [SoftAPProvisioning.CredentialStorage] = []
    private(set) var restarted = false
    private(set) var sessionsEstablished = 0
    private var nextID: UInt32 = 0
    private var responses: [UInt32: HTTPResponse] = [:]

    init(_ config: SoftAPProvisioningConfig, seed: UInt64 = 21, radio: SimulatedRadio = InMemorySoftAP.radio) {
        service = SoftAPProvisioning(config: config)
        random = SeededRandom(seed: seed)
        self.radio = radio
    }

    static let radio = SimulatedRadio(networks: [
        SimulatedNetwork(ssid: "home", password: "hunter22", rssi: -51, channel: 6),
        SimulatedNetwork(ssid: "office", password: "correct horse", rssi: -60, channel: 11),
    ])

    /// A second client: another connection, no cookie, the same service.
    func newClient(connection: UInt32) {
        self.connection = connection
        cookie = nil
    }

    func post(_ endpoint: String, _ body: [UInt8]) throws(ProvisioningClientError) -> [UInt8] {
        let r = raw(endpoint, body)
        guard r.status == 200 else { throw .http(status: r.status, body: String(decoding: r.body, as: UTF8.self), refusal: r.header("X-Protocomm-Refusal")) }
        return r.body
    }

    /// POSTs without judging the answer.
    func raw(_ endpoint: String, _ body: [UInt8]) -> HTTPResponse {
        advance(by: .milliseconds(100))
        nextID += 1
        var headers: [HTTPHeader] = []
        if let cookie { headers.append(HTTPHeader("Cookie", cookie)) }
        deliver(.request(id: nextID, HTTPRequest(method: .post, path: "/" + endpoint, headers: headers, body: body,
                                                 connection: connection)))
        guard let response = responses.removeValue(forKey: nextID) else { return .text(599, "no answer") }
        if let set = response.header("Set-Cookie") { cookie = set }
        return response
    }

    /// Moves the clock, firing every deadline on the way.
    func advance(by span: TimeSpan) {
        let end = now + span
        while let due = service.deadline, due <= end {
            now = max(now, due)
            deliver(.tick)
        }
        now = end
    }

    private func deliver(_ event: SoftAPProvisioning.Event) {
        let out = service.handle(event, at: now, random: &random, crypto: OpenSSLCrypto.self)
        if let r = out.refusal { refusals.append(r) }
        if let s = out.storage { storage.append(s) }
        if out.restart { restarted = true }
        if out.sessionEstablished { sessionsEstablished += 1 }
        for action in out.actions {
            switch action {
            case .httpRespond(let id, let response): responses[id] = response
            case .wifiConnect(let ssid, let password): deliver(.station(radio.join(ssid: ssid, password: password)))
            case .wifiScan: deliver(.station(.scanDone(radio.scan())))
            default: break
            }
        }
    }
}
