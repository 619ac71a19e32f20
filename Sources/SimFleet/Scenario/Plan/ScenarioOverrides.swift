import DeviceCore

/// Command-line adjustments to a scenario, so big scenarios fit CI: `--scale 0.1` shrinks every
/// group and fixed device count (never below 1); `--duration`, `--seed` replace the file's values;
/// the fleet flags (`--devices` for a one-group scenario, `--heartbeat`, `--qos`, `--ramp`) and
/// `--broker` replace what every group or the backend says.
public struct ScenarioOverrides: Equatable, Sendable {
    public var scale: Double?
    public var duration: TimeSpan?
    public var seed: UInt64?
    public var devices: Int?
    public var heartbeat: TimeSpan?
    public var qos: Int?
    public var rampPerSecond: Double?
    public var backend: Backend?
    /// `--api`, `--register-*`, `--manifest-*`, `--version-source`: the backend's HTTP side.
    public var api: String?
    public var registerPath: String?
    public var registerBody: String?
    public var registerHeaders: [String]?
    public var registerRetries: Int?
    public var manifestURL: String?
    public var manifestPoll: TimeSpan?
    public var manifestJitter: TimeSpan?
    public var versionSource: FirmwareVersionSource?
    /// `--mqtt 5`: the protocol version every device speaks.
    public var mqttVersion: MQTTOptions.Version?
    /// `--topic-prefix`: the layout replaces the scenario's `topics:`.
    public var topics: TopicLayout?
    /// `--telemetry-every` / `--telemetry-bytes`: one more stream, published by every group.
    public var telemetry: TelemetryShorthand?
    /// `--device-http`: provisioned devices serve their local API (port and block of `device_http:`
    /// unless the scenario says otherwise).
    public var deviceHTTP: DeviceHTTPSettings?

    public init(scale: Double? = nil, duration: TimeSpan? = nil, seed: UInt64? = nil) {
        self.scale = scale
        self.duration = duration
        self.seed = seed
    }

    /// The scenario with the overrides applied. Shares (`10%`) stay shares. Each value a flag
    /// replaces is then found at that flag (`Scenario.position(of:)`), not at the file's line.
    public func apply(to scenario: Scenario) -> Scenario {
        var s = scenario
        func from(_ flag: String, _ paths: String...) { for path in paths { s.sourceMap.set(path, to: .flag(flag)) } }
        if let seed { s.seed = seed; from("--seed", "seed") }
        if let duration { s.duration = duration; from("--duration", "duration") }
        if let backend { s.backend = backend; from("--broker", "backend") }
        applyHTTP(to: &s.httpBackend)
        if api != nil { from("--api", "backend.api") }
        if registerPath != nil { from("--register-path", "backend.register.path") }
        if registerBody != nil { from("--register-body", "backend.register.body") }
        if registerHeaders != nil { from("--register-header", "backend.register.headers") }
        if registerRetries != nil { from("--register-retries", "backend.register.retries") }
        if manifestURL != nil { from("--manifest-url", "backend.manifest.url") }
        if manifestPoll != nil { from("--manifest-poll", "backend.manifest.poll") }
        if manifestJitter != nil { from("--manifest-jitter", "backend.manifest.jitter") }
        if versionSource != nil { from("--version-source", "backend.manifest.version_source") }
        if let mqttVersion { s.mqtt.version = mqttVersion; from("--mqtt", "mqtt.version") }
        if let topics { s.topics = topics; from("--topic-prefix", "topics") }
        if let deviceHTTP, s.deviceHTTP == nil { s.deviceHTTP = deviceHTTP; from("--device-http", "device_http") }
        if let telemetry, let spec = try? telemetry.spec(layout: s.topics) { s.fleetTelemetry.append(spec) }
        for i in s.fleet.indices {
            let group = "fleet[" + String(i) + "]."
            if let devices { s.fleet[i].count = devices; from("--devices", group + "count") }
            if let heartbeat { s.fleet[i].heartbeat = heartbeat; from("--heartbeat", group + "heartbeat") }
            if let qos { s.fleet[i].qos = qos; from("--qos", group + "qos") }
            if let rampPerSecond { s.fleet[i].rampPerSecond = rampPerSecond; from("--ramp", group + "ramp") }
        }
        if let scale {
            func scaled(_ n: Int) -> Int { max(1, Int((Double(n) * scale).rounded())) }
            for i in s.fleet.indices { s.fleet[i].count = scaled(s.fleet[i].count) }
            for i in s.timeline.indices {
                s.timeline[i].action = ScenarioOverrides.scale(s.timeline[i].action, scaled)
            }
        }
        return s
    }

    func applyHTTP(to http: inout BackendHTTP) {
        if let api { http.api = api }
        if let registerPath { http.registration.path = registerPath }
        if let registerBody { http.registration.body = registerBody }
        if let registerHeaders { http.registration.headers = registerHeaders }
        if let registerRetries { http.registration.retries = registerRetries }
        if manifestURL != nil || manifestPoll != nil || manifestJitter != nil || versionSource != nil {
            var m = http.manifest ?? ManifestOptions()
            if let manifestURL { m.url = manifestURL }
            if let manifestPoll { m.poll = manifestPoll }
            if let manifestJitter { m.jitter = manifestJitter }
            if let versionSource { m.versionSource = versionSource }
            http.manifest = m
        }
    }

    static func scale(_ action: StepAction, _ scaled: (Int) -> Int) -> StepAction {
        func count(_ c: DeviceCount) -> DeviceCount {
            if case .count(let n) = c { return .count(scaled(n)) }
            return c
        }
        switch action {
        case .rollout(var r): r.cohort = count(r.cohort); return .rollout(r)
        case .deviceFault(var f): f.devices = count(f.devices); return .deviceFault(f)
        case .networkFault(var f): f.devices = count(f.devices); return .networkFault(f)
        case .provision(var p): p.devices = count(p.devices); return .provision(p)
        case .aclProbe(var a): a.devices = count(a.devices); return .aclProbe(a)
        default: return action
        }
    }
}

/// `--telemetry-every 1s --telemetry-bytes 256`: a stream of the shorthand payload, padded to the
/// size, on the status topic's sibling `…/telemetry`.
public struct TelemetryShorthand: Equatable, Sendable {
    public var every: TimeSpan
    public var bytes: Int?

    public init(every: TimeSpan, bytes: Int? = nil) {
        self.every = every
        self.bytes = bytes
    }

    /// The topic next to `layout`'s status topic: its last level replaced by `telemetry` (or
    /// `telemetry` added when the last level has a placeholder).
    public static func topic(beside layout: TopicLayout) -> String {
        var levels = layout.status.text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if levels.last?.contains("{") == true { levels.append("telemetry") } else { levels[levels.count - 1] = "telemetry" }
        return levels.joined(separator: "/")
    }

    /// The stream as a scenario entry.
    public func spec(layout: TopicLayout) throws -> TelemetrySpec {
        let text = FleetTelemetryStream.shorthandPayload(bytes: bytes)
        return TelemetrySpec(name: FleetTelemetryStream.shorthandName, topic: try TopicTemplate(TelemetryShorthand.topic(beside: layout)),
                             every: every, payloadText: text, payload: try TelemetryTemplateText.compile(text),
                             position: .flag("--telemetry-every"))
    }
}
