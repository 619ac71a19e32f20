import DeviceCore
import Yams

/// Reads the action of one timeline step; each action kind has its own keys (docs/scenarios.md).
struct StepReader {
    let map: YAMLMapping
    let kind: String
    let context: TimelineSchema.Context

    var file: String { context.file }
    var value: Node { map.node(kind)! }
    var position: SourcePosition { map.position(of: kind) }

    func action() throws(ScenarioError) -> StepAction {
        switch kind {
        case "wait": return .wait(try scalar { r throws(ScenarioError) in try r.duration(min: .milliseconds(1), max: context.duration) })
        case "hold": return .hold(try scalar { r throws(ScenarioError) in try r.duration(min: .milliseconds(1), max: context.duration) })
        case "clear_faults":
            guard try scalar({ r throws(ScenarioError) in try r.bool() }) else {
                throw ScenarioError("'clear_faults' takes true", at: position, key: kind)
            }
            return .clearFaults
        case "ramp_up": return try rampUp()
        case "rollout": return .rollout(try rollout())
        case "firmware_fault": return .firmwareFault(try firmwareFault())
        case "device_fault": return .deviceFault(try deviceFault())
        case "network_fault": return .networkFault(try networkFault())
        case "broker_restart": return try brokerRestart()
        case "broker_outage": return try brokerOutage()
        case "broker_kill":
            guard context.backend.isEmbedded else {
                throw ScenarioError("'broker_kill' needs the embedded backend (simfleet kills and restarts only its own broker)",
                                    at: position, key: kind)
            }
            guard try scalar({ r throws(ScenarioError) in try r.bool() }) else {
                throw ScenarioError("'broker_kill' takes true", at: position, key: kind)
            }
            return .brokerKill
        case "provision":
            let m = try sub(["devices", "group", "ssid", "password", "via", "pop"])
            let networks = context.wifi.isEmpty ? SimulatedRadio.neighbourhood.networks : context.wifi
            let ssid = try m.optional("ssid") { r throws(ScenarioError) -> String in
                let name = try r.string()
                guard networks.contains(where: { $0.ssid == name }) else {
                    throw r.fail("names no network of 'wifi' (known: " + networks.map(\.ssid).joined(separator: ", ") + ")")
                }
                return name
            }
            let password = try m.optional("password") { r throws(ScenarioError) in try WiFiSchema.passphrase(r) }
            let via = try m.optional("via") { r throws(ScenarioError) in
                Provision.Via(rawValue: try r.choice(["captive_portal", "idf_softap"]))!
            } ?? .captivePortal
            let pop = try m.optional("pop") { r throws(ScenarioError) in try r.text() }
            if pop != nil && via != .idfSoftAP {
                throw ScenarioError("'pop' applies to 'via: idf_softap' only", at: m.position(of: "pop"), key: "pop")
            }
            return .provision(Provision(devices: try devices(m, default: .all), selector: try selector(m), ssid: ssid,
                                        password: password, via: via, pop: pop))
        case "acl_probe":
            let m = try sub(["devices", "attempts"])
            return .aclProbe(ACLProbe(devices: try devices(m, default: .all),
                                      attempts: try m.optional("attempts") { r throws(ScenarioError) in try r.int(in: 1...100) } ?? 4))
        default:
            preconditionFailure("TimelineSchema only passes known action keys")
        }
    }

    func scalar<T>(_ parse: (ScalarReader) throws(ScenarioError) -> T) throws(ScenarioError) -> T {
        try parse(ScalarReader(node: value, key: kind, context: "timeline step", file: file))
    }

    func sub(_ keys: [String]) throws(ScenarioError) -> YAMLMapping {
        try YAMLMapping(value, file: file, context: kind.replacingOccurrences(of: "_", with: " ") + " step", allowed: keys)
    }

    /// A mapping whose `kind` decides which further keys are allowed.
    func kinded(_ kinds: [String: [String]], common: [String]) throws(ScenarioError) -> (String, YAMLMapping) {
        let name = kind.replacingOccurrences(of: "_", with: " ")
        let probe = try YAMLMapping(value, file: file, context: name + " step",
                                    allowed: Array(Set(kinds.values.flatMap { $0 } + common + ["kind"])).sorted())
        let k = try probe.value("kind") { r throws(ScenarioError) in try r.choice(kinds.keys.sorted()) }
        let map = try YAMLMapping(value, file: file, context: name + " step of kind " + k,
                                  allowed: ["kind"] + common + kinds[k]!)
        return (k, map)
    }

    func devices(_ m: YAMLMapping, default fallback: DeviceCount, key: String = "devices") throws(ScenarioError) -> DeviceCount {
        try m.optional(key) { r throws(ScenarioError) in try r.deviceCount() } ?? fallback
    }

    /// `group: name` or `group: [a, b]`, each a fleet group of this scenario.
    func selector(_ m: YAMLMapping, version: String? = nil) throws(ScenarioError) -> DeviceSelector {
        guard let node = m.node("group") else { return DeviceSelector(version: version) }
        var names: [String] = []
        switch node {
        case .scalar(let s): names = [s.string]
        case .sequence(let items): names = items.compactMap { $0.scalar?.string }
        case .mapping: throw ScenarioError("'group' must be a group name or a list of names", at: m.position(of: "group"), key: "group")
        }
        for name in names where !context.fleet.contains(where: { $0.name == name }) {
            throw ScenarioError("'group' names no fleet group '" + name + "' (groups: "
                                + context.fleet.map(\.name).joined(separator: ", ") + ")", at: m.position(of: "group"), key: "group")
        }
        return DeviceSelector(groups: names, version: version)
    }

    func rampUp() throws(ScenarioError) -> StepAction {
        if case .scalar(let s) = value {
            if s.string == "all" { return .rampUp(group: nil, perSecond: nil) }
            guard context.fleet.contains(where: { $0.name == s.string }) else {
                throw ScenarioError("'ramp_up' names no fleet group '" + s.string + "'", at: position, key: kind)
            }
            return .rampUp(group: s.string, perSecond: nil)
        }
        let m = try sub(["group", "rate"])
        let group = try m.optional("group") { r throws(ScenarioError) in try r.string() }
        if let group, !context.fleet.contains(where: { $0.name == group }) {
            throw ScenarioError("'group' names no fleet group '" + group + "'", at: m.position(of: "group"), key: "group")
        }
        return .rampUp(group: group, perSecond: try m.optional("rate") { r throws(ScenarioError) in try r.rate() })
    }

    func rollout() throws(ScenarioError) -> Rollout {
        let m = try sub(["version", "cohort", "group", "from_version", "via", "url", "sha256", "size"])
        let version = try m.value("version") { r throws(ScenarioError) in try r.string() }
        let url = try m.optional("url") { r throws(ScenarioError) in try BackendHTTPSchema.url(r) }
        if url == nil, !context.firmware.contains(where: { $0.version == version }) {
            throw ScenarioError("rollout 'version' " + version + " is not in 'firmware' (the embedded origin serves: "
                                + context.firmware.map(\.version).joined(separator: ", ") + "); give a 'url' for an image served elsewhere",
                                at: m.position(of: "version"), key: "version")
        }
        let from = try m.optional("from_version") { r throws(ScenarioError) in try r.string() }
        let via = Rollout.Via(rawValue: try m.optional("via") { r throws(ScenarioError) in try r.choice(["mqtt", "manifest", "poll"]) } ?? "mqtt")!
        for key in ["url", "sha256", "size"] where m.has(key) && via != .mqtt {
            throw ScenarioError("'" + key + "' goes with 'via: mqtt' (an install command); the manifest names its own image",
                                at: m.position(of: key), key: key)
        }
        let sha256 = try m.optional("sha256") { r throws(ScenarioError) -> String in
            let hex = try r.string().lowercased()
            guard hex.count == 64, hex.allSatisfy(\.isHexDigit) else { throw r.fail("must be 64 hex digits, found '" + hex + "'") }
            return hex
        }
        if sha256 != nil || m.has("size"), url == nil {
            throw ScenarioError("'sha256' and 'size' describe the image at 'url'", at: m.position, key: sha256 != nil ? "sha256" : "size")
        }
        if via != .mqtt, let manifestURL = context.manifest?.url {
            throw ScenarioError("rollout 'via: " + via.rawValue + "' points simfleet's own manifest, but the devices poll "
                                + manifestURL + " (backend.manifest.url): publish the release there", at: m.position(of: "via"), key: "via")
        }
        let cohort = try devices(m, default: .all, key: "cohort")
        if via == .poll {
            guard context.manifest?.poll != nil else {
                throw ScenarioError("rollout 'via: poll' needs devices that poll: set backend.manifest.poll", at: m.position(of: "via"), key: "via")
            }
            guard cohort == .all, !m.has("group"), from == nil else {
                throw ScenarioError("rollout 'via: poll' reaches the whole fleet (the manifest is one for all): no cohort, group or from_version",
                                    at: m.position(of: "via"), key: "via")
            }
        }
        var rollout = Rollout(version: version, cohort: cohort, selector: try selector(m, version: from), via: via)
        rollout.url = url
        rollout.sha256 = sha256
        rollout.size = try m.optional("size") { r throws(ScenarioError) in try r.bytes(in: 1...(16 << 20)) }
        return rollout
    }

    func brokerRestart() throws(ScenarioError) -> StepAction {
        guard context.backend.isEmbedded else {
            throw ScenarioError("'broker_restart' needs the embedded backend (simfleet cannot restart someone else's broker)",
                                at: position, key: kind)
        }
        if case .scalar = value {
            return .brokerRestart(down: try scalar { r throws(ScenarioError) in try r.duration(max: .seconds(600)) })
        }
        let m = try sub(["down"])
        return .brokerRestart(down: try m.optional("down") { r throws(ScenarioError) in try r.duration(max: .seconds(600)) } ?? .seconds(5))
    }
}
