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

    public init(scale: Double? = nil, duration: TimeSpan? = nil, seed: UInt64? = nil) {
        self.scale = scale
        self.duration = duration
        self.seed = seed
    }

    /// The scenario with the overrides applied. Shares (`10%`) stay shares.
    public func apply(to scenario: Scenario) -> Scenario {
        var s = scenario
        if let seed { s.seed = seed }
        if let duration { s.duration = duration }
        if let backend { s.backend = backend }
        applyHTTP(to: &s.httpBackend)
        for i in s.fleet.indices {
            if let devices { s.fleet[i].count = devices }
            if let heartbeat { s.fleet[i].heartbeat = heartbeat }
            if let qos { s.fleet[i].qos = qos }
            if let rampPerSecond { s.fleet[i].rampPerSecond = rampPerSecond }
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
