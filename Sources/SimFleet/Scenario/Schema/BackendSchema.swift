import Yams

/// `backend:` — `embedded` (the default) or an external broker with API, credentials and TLS.
enum BackendSchema {
    static let allKeys = ["embedded", "broker", "api", "username", "password", "observer_username", "observer_password", "tls"]
        + ["register", "manifest"]

    static func parse(_ node: Node, file: String) throws(ScenarioError) -> Backend {
        if case .scalar(let s) = node {
            guard s.string == "embedded" else {
                throw ScenarioError("'backend' must be 'embedded' or a mapping, found '" + s.string + "'",
                                    at: YAMLMapping.position(of: node, file: file), key: "backend")
            }
            return .embedded(EmbeddedBackend())
        }
        let map = try YAMLMapping(node, file: file, context: "backend", allowed: allKeys)
        if let embeddedNode = map.node("embedded") {
            // `api`, `register` and `manifest` (BackendHTTPSchema) go with any broker.
            if let other = ["broker", "username", "password", "observer_username", "observer_password", "tls"]
                .first(where: map.has) {
                throw ScenarioError("'" + other + "' cannot be combined with 'embedded' in backend",
                                    at: map.position(of: other), key: other)
            }
            if case .scalar(let s) = embeddedNode, ["true", "{}", ""].contains(s.string) {
                return .embedded(EmbeddedBackend())
            }
            let options = try YAMLMapping(embeddedNode, file: file, context: "embedded backend",
                                          allowed: ["acl"])
            let acl = try options.optional("acl") { r throws(ScenarioError) in try r.bool() } ?? true
            return .embedded(EmbeddedBackend(acl: acl))
        }
        if !map.has("broker"), map.orderedKeys.allSatisfy(BackendHTTPSchema.keys.contains) {
            return .embedded(EmbeddedBackend())  // the backend's API or manifest with simfleet's broker
        }
        let broker = try map.value("broker") { r throws(ScenarioError) in try r.string() }
        guard broker.hasPrefix("mqtt://") || broker.hasPrefix("mqtts://") else {
            throw ScenarioError("'broker' in backend must be an mqtt:// or mqtts:// URL, found '" + broker + "'",
                                at: map.position(of: "broker"), key: "broker")
        }
        let api = try map.optional("api") { r throws(ScenarioError) in try BackendHTTPSchema.url(r) }
        let username = try map.optional("username") { r throws(ScenarioError) in try r.string() }
        let password = try map.optional("password") { r throws(ScenarioError) in try r.string() }
        var tls: TLSFiles?
        if let tlsNode = map.node("tls") {
            let t = try YAMLMapping(tlsNode, file: file, context: "tls", allowed: ["ca", "cert", "key", "verify_hostname"])
            let cert = try t.optional("cert") { r throws(ScenarioError) in try r.string() }
            let key = try t.optional("key") { r throws(ScenarioError) in try r.string() }
            if (cert == nil) != (key == nil) {
                throw ScenarioError("'cert' and 'key' in tls go together", at: t.position, key: cert == nil ? "cert" : "key")
            }
            // No `ca`: the system trust store. `cert`/`key` may be per-device templates (`certs/{id}.pem`).
            tls = TLSFiles(ca: try t.optional("ca") { r throws(ScenarioError) in try r.string() }, cert: cert, key: key,
                           verifyHostname: try t.optional("verify_hostname") { r throws(ScenarioError) in try r.bool() } ?? true)
        }
        if tls != nil, !broker.hasPrefix("mqtts://") {
            throw ScenarioError("'tls' needs an mqtts:// broker", at: map.position(of: "tls"), key: "tls")
        }
        return .external(ExternalBackend(
            broker: broker, api: api, username: username, password: password, tls: tls,
            observerUsername: try map.optional("observer_username") { r throws(ScenarioError) in try r.string() },
            observerPassword: try map.optional("observer_password") { r throws(ScenarioError) in try r.string() }))
    }
}
