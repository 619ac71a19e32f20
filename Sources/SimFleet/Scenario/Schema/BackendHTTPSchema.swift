import DeviceCore
import Yams

/// `backend: {api, register: {…}, manifest: {…}}` — the API devices register with and the manifest
/// they poll. Read from the same mapping as `BackendSchema` (which checks the other keys), with the
/// embedded broker or an external one.
enum BackendHTTPSchema {
    static let keys = ["api", "register", "manifest"]

    static func parse(_ node: Node?, file: String) throws(ScenarioError) -> BackendHTTP {
        guard let node, case .mapping = node else { return BackendHTTP() }
        let map = try YAMLMapping(node, file: file, context: "backend", allowed: BackendSchema.allKeys)
        var http = BackendHTTP()
        http.api = try map.optional("api") { r throws(ScenarioError) in try url(r) }
        if let n = map.node("register") {
            guard http.api != nil else {
                throw ScenarioError("'register' needs 'api' in backend (the URL it is relative to)", at: map.position(of: "register"),
                                    key: "register")
            }
            http.registration = try registration(n, file: file)
        }
        if let n = map.node("manifest") { http.manifest = try manifest(n, file: file) }
        return http
    }

    static func url(_ r: ScalarReader) throws(ScenarioError) -> String {
        let text = try r.string()
        guard text.hasPrefix("http://") || text.hasPrefix("https://") else {
            throw r.fail("must be an http:// or https:// URL, found '" + text + "'")
        }
        return text
    }

    static func registration(_ node: Node, file: String) throws(ScenarioError) -> RegistrationOptions {
        let m = try YAMLMapping(node, file: file, context: "register",
                                allowed: ["path", "body", "headers", "retries", "backoff", "backoff_cap", "timeout"])
        var o = RegistrationOptions()
        if let path = try m.optional("path", { r throws(ScenarioError) in try r.string() }) {
            guard path.hasPrefix("/") else {
                throw ScenarioError("'path' in register must start with /, found '" + path + "'", at: m.position(of: "path"), key: "path")
            }
            o.path = path
        }
        o.body = try m.optional("body") { r throws(ScenarioError) in try r.text() } ?? o.body
        if let h = m.node("headers") {
            guard case .sequence(let items) = h else {
                throw ScenarioError("'headers' in register must be a list of 'Name: value' lines", at: m.position(of: "headers"), key: "headers")
            }
            o.headers = try items.map { item throws(ScenarioError) -> String in
                let line = try ScalarReader(node: item, key: "headers", context: "register", file: file).string()
                guard let colon = line.firstIndex(of: ":"), colon != line.startIndex,
                      !line.contains("\n"), !line.contains("\r") else {
                    throw ScenarioError("'headers' in register takes 'Name: value' lines, found '" + line + "'",
                                        at: YAMLMapping.position(of: item, file: file), key: "headers")
                }
                return line
            }
        }
        o.retries = try m.optional("retries") { r throws(ScenarioError) in try r.int(in: 0...20) } ?? o.retries
        o.backoffBase = try m.optional("backoff") { r throws(ScenarioError) in try r.duration(min: .milliseconds(10), max: .seconds(600)) } ?? o.backoffBase
        o.backoffCap = try m.optional("backoff_cap") { r throws(ScenarioError) in try r.duration(min: .milliseconds(10), max: .seconds(3600)) } ?? o.backoffCap
        if let t = try m.optional("timeout", { r throws(ScenarioError) in try r.duration(min: .seconds(1), max: .seconds(300)) }) {
            o.timeoutSeconds = Int(t.microseconds / 1_000_000)
        }
        return o
    }

    static func manifest(_ node: Node, file: String) throws(ScenarioError) -> ManifestOptions {
        let m = try YAMLMapping(node, file: file, context: "manifest", allowed: ["url", "poll", "jitter", "version_source"])
        var o = ManifestOptions()
        o.url = try m.optional("url") { r throws(ScenarioError) in try url(r) }
        o.poll = try m.optional("poll") { r throws(ScenarioError) in try r.duration(min: .seconds(1), max: .seconds(24 * 3600)) }
        o.jitter = try m.optional("jitter") { r throws(ScenarioError) in try r.duration(max: .seconds(24 * 3600)) }
        if let jitter = o.jitter {
            guard let poll = o.poll else {
                throw ScenarioError("'jitter' in manifest needs 'poll'", at: m.position(of: "jitter"), key: "jitter")
            }
            guard jitter <= poll else {
                throw ScenarioError("'jitter' in manifest may not exceed 'poll' (" + Units.format(poll) + ")",
                                    at: m.position(of: "jitter"), key: "jitter")
            }
        }
        if let name = try m.optional("version_source", { r throws(ScenarioError) in try r.choice(["release", "app_descriptor"]) }) {
            o.versionSource = FirmwareVersionSource(name: name)!
        }
        return o
    }
}
