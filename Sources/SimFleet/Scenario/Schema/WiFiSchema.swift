import DeviceCore
import Yams

/// `wifi:` — the radio environment around every device: the networks scans show and joins test
/// (a wrong password fails with auth_fail, as on a chip). `provision` gives devices the first one
/// unless it names another.
enum WiFiSchema {
    static func parse(_ node: Node, file: String) throws(ScenarioError) -> [SimulatedNetwork] {
        guard case .sequence(let items) = node, !items.isEmpty else {
            throw ScenarioError("'wifi' must be a non-empty list of networks", at: YAMLMapping.position(of: node, file: file),
                                key: "wifi")
        }
        var networks: [SimulatedNetwork] = []
        for item in items {
            let map = try YAMLMapping(item, file: file, context: "wifi network", allowed: ["ssid", "password", "rssi", "channel"])
            let ssid = try map.value("ssid") { r throws(ScenarioError) -> String in
                let text = try r.string()
                guard (1...32).contains(text.utf8.count) else { throw r.fail("must be 1 to 32 bytes") }
                return text
            }
            if networks.contains(where: { $0.ssid == ssid }) {
                throw ScenarioError("duplicate network '" + ssid + "'", at: map.position(of: "ssid"), key: "ssid")
            }
            let password = try map.optional("password") { r throws(ScenarioError) in try passphrase(r) }
            let rssi = try map.optional("rssi") { r throws(ScenarioError) in try r.int(in: -120...0) } ?? -55
            let channel = try map.optional("channel") { r throws(ScenarioError) in try r.int(in: 1...165) } ?? 6
            networks.append(SimulatedNetwork(ssid: ssid, password: password, rssi: rssi, channel: channel))
        }
        return networks
    }

    /// A WPA2 passphrase: 8 to 63 characters.
    static func passphrase(_ r: ScalarReader) throws(ScenarioError) -> String {
        let text = try r.text()
        guard (8...63).contains(text.utf8.count) else { throw r.fail("must be a WPA2 passphrase of 8 to 63 characters") }
        return text
    }
}
