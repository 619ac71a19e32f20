import DeviceCore
import Yams

/// `provisioning:` of a fleet group — how its unprovisioned devices can be given their network:
/// `{preset: reference}` or `{scheme: captive_portal | idf_softap | both, security: 0|1|2, pop,
/// username, password, salt, verifier, service_name, auto_stop, custom_endpoints}`
/// (docs/provisioning.md). Checked
/// here, with the position of the key at fault, by the same rules as `simfleet device`'s flags.
enum ProvisioningSchema {
    static let keys = ["preset", "scheme", "security", "pop", "username", "password", "salt", "verifier", "service_name",
                       "auto_stop", "custom_endpoints"]

    static func parse(_ node: Node, file: String) throws(ScenarioError) -> ProvisioningSettings {
        let map = try YAMLMapping(node, file: file, context: "provisioning", allowed: keys)
        let settings = ProvisioningSettings(
            preset: try map.optional("preset") { r throws(ScenarioError) in try r.choice(ProvisioningSettings.presets) },
            scheme: try map.optional("scheme") { r throws(ScenarioError) in try r.choice(["captive_portal", "idf_softap", "both"]) },
            security: try map.optional("security") { r throws(ScenarioError) in try r.int(in: 0...2) },
            pop: try map.optional("pop") { r throws(ScenarioError) in try r.text() },
            username: try map.optional("username") { r throws(ScenarioError) in try r.string() },
            password: try map.optional("password") { r throws(ScenarioError) in try r.string() },
            salt: try map.optional("salt") { r throws(ScenarioError) in try r.string() },
            verifier: try map.optional("verifier") { r throws(ScenarioError) in try r.string() },
            serviceName: try map.optional("service_name") { r throws(ScenarioError) in try r.string() },
            autoStop: try map.optional("auto_stop") { r throws(ScenarioError) in try r.bool() },
            customEndpoints: try map.node("custom_endpoints").map { n throws(ScenarioError) in try names(n, file: file) })
        do {
            _ = try settings.apply(to: ProvisioningConfig())
        } catch {
            throw ScenarioError(error.key + " " + error.message, at: map.position(of: error.key), key: error.key)
        }
        return settings
    }

    /// A list of endpoint names.
    static func names(_ node: Node, file: String) throws(ScenarioError) -> [String] {
        guard case .sequence(let items) = node else {
            throw ScenarioError("'custom_endpoints' must be a list of names", at: YAMLMapping.position(of: node, file: file),
                                key: "custom_endpoints")
        }
        var out: [String] = []
        for item in items {
            guard case .scalar(let s) = item else {
                throw ScenarioError("'custom_endpoints' must be a list of names", at: YAMLMapping.position(of: item, file: file),
                                    key: "custom_endpoints")
            }
            out.append(s.string)
        }
        return out
    }
}
