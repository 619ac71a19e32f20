import XCTest
@testable import DeviceCore

/// Shared scene for portal specs: a device in AP mode that scanned three networks, one hostile.
enum PortalFixtures {
    static let hostileSSID = "<script>alert(1)</script>"
    static let networks = [
        ScannedNetwork(ssid: "home", bssid: [2, 0, 0, 0, 0, 1], rssi: -50, channel: 6, auth: .wpa2PSK),
        ScannedNetwork(ssid: "cafe-open", bssid: [2, 0, 0, 0, 0, 2], rssi: -80, channel: 1, auth: .open),
        ScannedNetwork(ssid: hostileSSID, bssid: [2, 0, 0, 0, 0, 3], rssi: -70, channel: 11, auth: .wpa2PSK),
        ScannedNetwork(ssid: "", bssid: [2, 0, 0, 0, 0, 4], rssi: -40, channel: 3, auth: .wpa2PSK),
    ]
    static let config = PortalConfig(deviceID: "esp32c6-a1b2c3", rebootDelay: .seconds(3), maxBodyBytes: 512)

    static func portal(lastFailure: ProvisioningFailure? = nil, files: PortalFiles = PortalFiles()) -> CaptivePortal {
        var c = config
        c.files = files
        return CaptivePortal(config: c, networks: networks, lastFailure: lastFailure)
    }

    static func get(_ path: String, host: String = "192.168.4.1") -> HTTPRequest {
        HTTPRequest(method: .get, path: path, headers: [HTTPHeader("Host", host)])
    }

    static func postForm(_ body: String) -> HTTPRequest {
        HTTPRequest(method: .post, path: "/save",
                    headers: [HTTPHeader("Host", "192.168.4.1"), HTTPHeader("Content-Type", "application/x-www-form-urlencoded")],
                    body: Array(body.utf8))
    }

    static func postJSON(_ body: String) -> HTTPRequest {
        HTTPRequest(method: .post, path: "/save",
                    headers: [HTTPHeader("Host", "192.168.4.1"), HTTPHeader("Content-Type", "application/json; charset=utf-8")],
                    body: Array(body.utf8))
    }

    static let t0 = Instant(milliseconds: 1_000)
}

extension PortalFixtures {
    /// The connection id the portal specs hand in; every answer must respond on it.
    static let requestID: UInt32 = 7
}

extension CaptivePortal {
    /// `handle(_:id:at:)` on the specs' request id (`PortalFixtures.requestID`).
    mutating func handle(_ request: HTTPRequest, at now: Instant) -> Output {
        handle(request, id: PortalFixtures.requestID, at: now)
    }
}

/// What the portal specs read of an answer. Each reader checks the answer's shape first: an
/// optional log line, then exactly one response on the request's id, nothing else.
extension MachineOutput where Refusal == CaptivePortal.Refusal, Notice == CaptivePortal.Notice {
    /// The response sent for the request.
    var response: HTTPResponse {
        guard let last = actions.last, case .httpRespond(let id, let response) = last, actions.count <= 2 else {
            XCTFail("expected [log?, httpRespond], got \(actions)")
            return .text(0, "")
        }
        XCTAssertEqual(id, PortalFixtures.requestID, "answered on the request's id")
        return response
    }

    /// The log line before the response, nil when there is none.
    var log: String? {
        guard actions.count == 2, case .log(_, let line) = actions[0] else { return nil }
        return line
    }

    /// The log line's level, nil when there is none.
    var logLevel: LogLevel? {
        guard actions.count == 2, case .log(let level, _) = actions[0] else { return nil }
        return level
    }

    /// The credentials an accepted save hands over (the notice `.saved`), nil otherwise.
    var saved: WiFiCredentials? {
        if case .saved(let credentials)? = notice { return credentials }
        return nil
    }
}
