import DeviceCore
import Foundation

/// The plan's pass: a validated `Scenario` (read from a file, or the one-group scenario a flags-only
/// run describes, flags applied) becomes the runtime's `FleetConfiguration`. The schema checked each
/// value alone; what needs the whole scenario is checked here, once, each error at the line and
/// column of its value or at its flag (`Scenario.position(of:)`): what the runtime supports
/// (`RuntimeSupport`), the broker, `{env:…}` credentials, the embedded broker's accounts, every
/// device's topics and ids. `FleetRunner` then trusts the configuration and checks only what
/// depends on the machine. The runtime runs ramp + steady time, so the steady time is what is
/// left of the scenario's duration after the ramp.
public enum ScenarioFleet {
    public static func configuration(_ scenario: Scenario) throws(ScenarioError) -> FleetConfiguration {
        if let first = RuntimeSupport.unsupported(scenario).first { throw first }
        let group = scenario.fleet[0]
        var c = FleetConfiguration()
        c.devices = group.count
        c.idTemplate = group.idTemplate
        c.chip = group.chip
        c.firmwareVersion = group.firmwareVersion
        c.heartbeatMs = group.heartbeat.milliseconds
        c.qos = group.qos
        c.provisioned = group.provisioned
        c.rampPerSecond = group.rampPerSecond
        c.seed = scenario.seed
        c.devices = scenario.deviceCount
        c.shapes = shapes(scenario)
        let total = Double(scenario.duration.microseconds) / 1e6
        let ramp = c.shapes?.rampSeconds ?? Double(group.count) / group.rampPerSecond
        c.durationSeconds = max(0, total - ramp)
        c.scenarioName = scenario.name
        c.groupName = group.name
        c.topics = scenario.topics
        c.telemetry = scenario.fleet.flatMap { g in g.telemetry.map { FleetTelemetryStream($0, group: g.name) } }
            + scenario.fleetTelemetry.map { FleetTelemetryStream($0, group: nil) }
        if let web = scenario.deviceHTTP {
            c.deviceHTTP = DeviceHTTPExposure(pool: LoopbackAddressPool(block: web.block), port: web.port)
        }
        c.ota.releases = scenario.firmware.map(\.version)
        c.ota.manifestRelease = scenario.firmware.last(where: \.inManifest)?.version
        for image in scenario.firmware { if let app = image.appVersion { c.ota.appVersions[image.version] = app } }
        let sizes = scenario.firmware.compactMap { image -> Int? in
            if case .generated(_, let size) = image.source { return size }
            return nil
        }
        if let largest = sizes.max() { c.ota.imagePayloadBytes = max(4096, largest - 4096) }
        if scenario.fleet.contains(where: { !$0.provisioned }) {
            // The block is the plan's, from the seed; a run side by side with another on one machine
            // moves off a taken block when it starts (ScenarioRun). With device_http, one block for
            // both: a device keeps its address when provisioned.
            let block = scenario.deviceHTTP?.block ?? AccessPointExposure.block(seed: scenario.seed)
            var exposure = AccessPointExposure(pool: LoopbackAddressPool(block: block),
                                               radio: radio(scenario))
            exposure.blockFromSeed = scenario.deviceHTTP == nil
            var start = 0
            for g in scenario.fleet {
                if g.provisioning != nil { exposure.provisioningByDevices.append((start..<(start + g.count), g.provisioningConfig)) }
                start += g.count
            }
            c.accessPoints = exposure
        }
        if case .external(let backend) = scenario.backend {
            let tls = backend.tls.map { TLSSettings(caFile: $0.ca, certFile: $0.cert, keyFile: $0.key) }
            guard let choice = BrokerChoice.parse(backend.broker, tls: tls) else {
                throw ScenarioError("the runtime cannot use broker '" + backend.broker + "'",
                                    at: scenario.position(of: "backend.broker"), key: "broker")
            }
            c.broker = choice
            func expanded(_ template: String?, _ key: String) throws(ScenarioError) -> String? {
                try template.map { t throws(ScenarioError) in try expandEnvironment(t, at: scenario.position(of: "backend." + key)) }
            }
            c.usernameTemplate = try expanded(backend.username, "username")
            c.passwordTemplate = try expanded(backend.password, "password")
            c.observerUsername = try expanded(backend.observerUsername, "observer_username")
            c.observerPassword = try expanded(backend.observerPassword, "observer_password")
            c.api = backend.api
        }
        if case .embedded(let embedded) = scenario.backend {
            c.usernameTemplate = embedded.username
            c.passwordTemplate = embedded.password
            try checkEmbeddedAccounts(scenario, c)
        }
        try applyHTTPBackend(scenario, to: &c)
        c.mqtt = scenario.mqtt
        c.keepAliveSeconds = Int((scenario.keepAlive ?? FleetDefaults.keepAlive).microseconds / 1_000_000)
        c.proxiedDevices = proxiedDevices(scenario)
        try checkIDs(scenario, c)
        try checkTopics(scenario, c)
        return c
    }

    /// `backend: {api, register, manifest}`: where devices register (templates with `{env:…}`
    /// resolved now) and the manifest they poll, with any broker.
    static func applyHTTPBackend(_ scenario: Scenario, to c: inout FleetConfiguration,
                                 environment: [String: String] = ProcessInfo.processInfo.environment) throws(ScenarioError) {
        let http = scenario.httpBackend
        if let api = http.api { c.api = api }
        do {
            c.registration = try http.registration.resolvingEnvironment(environment)
        } catch {
            let token = "{env:" + error.name + "}"
            let header = http.registration.body.contains(token) ? nil : http.registration.headers.firstIndex { $0.contains(token) }
            let path = header.map { "backend.register.headers[" + String($0) + "]" } ?? "backend.register.body"
            throw ScenarioError("the registration templates name " + token + " but " + error.name + " is not set",
                                at: scenario.position(of: path), key: error.name)
        }
        guard let manifest = http.manifest else { return }
        c.ota.manifestURL = manifest.url
        c.ota.manifestPollSeconds = manifest.poll.map { Double($0.microseconds) / 1e6 }
        c.ota.manifestPollJitterSeconds = manifest.jitter.map { Double($0.microseconds) / 1e6 }
        c.ota.versionSource = manifest.versionSource
    }

    /// The devices that go through the fault proxy: every device when the timeline has a
    /// `broker_outage`, else the targets of its `network_fault` steps, else none (no proxy at all).
    /// The plan (every device's id) is drawn only when a `network_fault` needs its targets: a
    /// fleet-sized value built and dropped during setup otherwise stays behind as heap holes.
    static func proxiedDevices(_ scenario: Scenario) -> ProxiedDevices {
        let actions = scenario.timeline.map(\.action)
        if actions.contains(where: { if case .brokerOutage = $0 { true } else { false } }) { return .all }
        guard actions.contains(where: { if case .networkFault = $0 { true } else { false } }) else { return .none }
        var targets = Set<Int>()
        let plan = ScenarioPlan(scenario)
        for (i, action) in actions.enumerated() {
            if case .networkFault = action { targets.formUnion(plan.steps[i].targets) }
        }
        if targets.isEmpty { return .none }
        return targets.count == scenario.deviceCount ? .all : .some(targets)
    }

    /// The layout and streams must give every device its own topics the observer can tell apart.
    static func checkTopics(_ scenario: Scenario, _ c: FleetConfiguration) throws(ScenarioError) {
        let streams = scenario.fleet.flatMap(\.telemetry) + scenario.fleetTelemetry
        var names: Set<String> = []
        for s in streams where !names.insert(s.name).inserted {
            throw ScenarioError("two telemetry streams are named '" + s.name + "'; give one a different 'name'", at: s.position, key: "name")
        }
        guard let problem = c.topicProblemDetail() else { return }
        // c.telemetry lists the groups' streams, then the command line's, as `streams` does.
        if let tag = problem.stream, tag < streams.count {
            throw ScenarioError(problem.message, at: streams[tag].position, key: "telemetry")
        }
        throw ScenarioError(problem.message, at: scenario.position(of: "topics"), key: "topics")
    }

    /// Per-group shapes and the plan's ids, when one shape and the runtime's own ids do not do:
    /// several groups, `{group}`/`{rand:N}` ids, or a group waiting for `ramp_up`.
    static func shapes(_ scenario: Scenario) -> FleetShapes? {
        let needsPlanIDs = scenario.fleet.contains { group in
            IDTemplate.tokens(group.idTemplate).tokens.contains { token in
                if token == .group { return true }
                if case .random = token { return true }
                return false
            }
        }
        guard scenario.fleet.count > 1 || needsPlanIDs || scenario.fleet.contains(where: { !$0.startAtBeginning }) else {
            return nil
        }
        var groups: [FleetShapes.Group] = []
        var start = 0
        for g in scenario.fleet {
            groups.append(FleetShapes.Group(name: g.name, range: start..<(start + g.count), firmwareVersion: g.firmwareVersion,
                                            heartbeatMs: g.heartbeat.milliseconds, qos: g.qos, provisioned: g.provisioned,
                                            rampPerSecond: g.rampPerSecond, startsWithRun: g.startAtBeginning))
            start += g.count
        }
        return FleetShapes(ids: ScenarioPlan(scenario).devices.map(\.id), groups: groups)
    }

    /// The WiFi around the devices (the default neighbourhood: `simfleet` / `simfleet-wifi` and two others).
    static func radio(_ scenario: Scenario) -> SimulatedRadio {
        scenario.wifi.isEmpty ? .neighbourhood : SimulatedRadio(networks: scenario.wifi)
    }

    /// The credentials `provision` submits: the step's network (default the first of the radio
    /// environment) with its passphrase unless the step gives another.
    static func provisioningNetwork(_ scenario: Scenario, _ step: Provision?) -> (ssid: String, password: String) {
        let networks = radio(scenario).networks
        let network = networks.first { $0.ssid == step?.ssid } ?? networks[0]
        return (network.ssid, step?.password ?? network.password ?? "")
    }

    /// Replaces `{env:NAME}` with the environment variable, so secrets stay out of scenario files.
    static func expandEnvironment(_ template: String, at position: SourcePosition,
                                  environment: [String: String] = ProcessInfo.processInfo.environment) throws(ScenarioError) -> String {
        var out = ""
        var rest = Substring(template)
        while let open = rest.range(of: "{env:") {
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else { break }
            let name = String(rest[open.upperBound..<close])
            guard let value = environment[name] else {
                throw ScenarioError("the backend credentials name {env:" + name + "} but " + name + " is not set",
                                    at: position, key: name)
            }
            out += rest[..<open.lowerBound] + value
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    /// The embedded broker's ACL is keyed on the user name: a device's must be its id.
    static func checkEmbeddedAccounts(_ scenario: Scenario, _ c: FleetConfiguration) throws(ScenarioError) {
        guard c.usernameTemplate != nil else { return }
        for i in 0..<c.devices {
            let s = c.deviceSpec(i)
            if let user = s.username, user != s.id {
                throw ScenarioError("with the embedded broker a device's MQTT user name must be its id (the broker's ACL is keyed on it): '"
                                    + user + "' for device '" + s.id + "'; use --username '{id}' or leave it out",
                                    at: scenario.position(of: "backend.username"), key: "username")
            }
        }
    }

    /// The plan and the runtime must name devices alike, or cohorts would hit the wrong devices.
    static func checkIDs(_ scenario: Scenario, _ c: FleetConfiguration) throws(ScenarioError) {
        let plan = ScenarioPlan(scenario)
        for (i, device) in plan.devices.enumerated() where c.deviceSpec(i).id != device.id {
            throw ScenarioError("the plan names device " + String(i + 1) + " '" + device.id + "' but the runtime '"
                                + c.deviceSpec(i).id + "'", at: scenario.position(of: "fleet[0].id"), key: "id")
        }
    }
}

extension FleetTelemetryStream {
    /// A scenario stream for the runtime, published by `group` (nil: every group).
    init(_ spec: TelemetrySpec, group: String?) {
        self.init(name: spec.name, topic: spec.topic, every: spec.every, qos: spec.qos, retain: spec.retain,
                  payloadText: spec.payloadText, payload: spec.payload, group: group)
    }
}
