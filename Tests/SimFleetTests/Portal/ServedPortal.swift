import DeviceCore
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
@testable import SimFleet

/// A CaptivePortal and a DNSResponder behind a real PortalHost on a loopback address, driven by
/// the wall clock — the shape `Device` gives them in provisioning mode, without the rest of a device.
final class ServedPortal: Sendable {
    let host: PortalHost
    let address: IPv4Address
    private let portal: NIOLockedValueBox<CaptivePortal?>
    private let requests: NIOLockedValueBox<[HTTPRequest]>
    private let saved: NIOLockedValueBox<WiFiCredentials?>

    static func now() -> Instant { Instant(microseconds: Int64(Date().timeIntervalSince1970 * 1_000_000)) }

    static func start(address: IPv4Address, networks: [ScannedNetwork], group: EventLoopGroup,
                      files: PortalFiles = PortalFiles(), maxBodyBytes: Int = 1024) async throws -> ServedPortal {
        let box = NIOLockedValueBox<CaptivePortal?>(nil)
        let seen = NIOLockedValueBox<[HTTPRequest]>([])
        let saved = NIOLockedValueBox<WiFiCredentials?>(nil)
        let responder = DNSResponder(address: address, ttl: 30)
        let host = try await PortalHost.start(
            PortalHost.Configuration(address: address, httpPort: 0, dnsPort: 0, maxBodyBytes: maxBodyBytes), group: group,
            onRequest: { request, respond in
                seen.withLockedValue { $0.append(request) }
                // The host's callback answers this request alone: any id will do, and the one
                // `.httpRespond` in the portal's actions is its response.
                let out = box.withLockedValue { $0?.handle(request, id: 0, at: now()) }
                if case .saved(let credentials)? = out?.notice { saved.withLockedValue { $0 = credentials } }
                var response = HTTPResponse.text(503, "starting")
                for case .httpRespond(_, let answer) in out?.actions ?? [] { response = answer }
                respond(response)
            },
            onQuery: { datagram, reply in reply(responder.respond(to: datagram)) })
        box.withLockedValue {
            $0 = CaptivePortal(config: PortalConfig(deviceID: "esp32c6-5e1f00", address: address, httpPort: host.httpPort,
                                                    rebootDelay: .seconds(2), maxBodyBytes: maxBodyBytes, files: files),
                               networks: networks)
        }
        return ServedPortal(host: host, address: address, portal: box, requests: seen, saved: saved)
    }

    private init(host: PortalHost, address: IPv4Address, portal: NIOLockedValueBox<CaptivePortal?>,
                 requests: NIOLockedValueBox<[HTTPRequest]>, saved: NIOLockedValueBox<WiFiCredentials?>) {
        self.saved = saved
        self.host = host
        self.address = address
        self.portal = portal
        self.requests = requests
    }

    var state: CaptivePortal.State? { portal.withLockedValue { $0?.state } }
    var savedCredentials: WiFiCredentials? { saved.withLockedValue { $0 } }
    var receivedRequests: [HTTPRequest] { requests.withLockedValue { $0 } }
    var baseURL: String { "http://" + address.text + ":" + String(host.httpPort) }
}
