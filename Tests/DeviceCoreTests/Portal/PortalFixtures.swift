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
