import DeviceCore
import Yams

/// `fleet:` — a list of device groups.
enum FleetSchema {
    static let keys = ["name", "count", "id", "chip", "firmware", "provisioned", "heartbeat", "qos", "ramp", "start", "telemetry",
                       "provisioning"]

    static func parse(_ node: Node, file: String) throws(ScenarioError) -> [FleetGroup] {
        let at = YAMLMapping.position(of: node, file: file)
        guard case .sequence(let items) = node, !items.isEmpty else {
            throw ScenarioError("'fleet' must be a non-empty list of device groups", at: at, key: "fleet")
        }
        var groups: [FleetGroup] = []
        for (i, item) in items.enumerated() {
            let map = try YAMLMapping(item, file: file, context: "fleet group", allowed: keys)
            let name = try map.optional("name") { r throws(ScenarioError) in try r.string() } ?? (items.count == 1 ? FleetDefaults.groupName : "group" + String(i + 1))
            if groups.contains(where: { $0.name == name }) {
                throw ScenarioError("duplicate fleet group name '" + name + "'", at: map.position(of: "name"), key: "name")
            }
            let chip = try map.optional("chip") { r throws(ScenarioError) -> ChipModel in
                let text = try r.string()
                guard let chip = ChipModel(name: text) else {
                    throw r.fail("must be one of esp32, esp32s3, esp32c3, esp32c6, found '" + text + "'")
                }
                return chip
            } ?? FleetDefaults.chip
            let template = try map.optional("id") { r throws(ScenarioError) in try r.string() } ?? FleetDefaults.idTemplate
            let count = try map.value("count") { r throws(ScenarioError) in try r.int(in: FleetLimits.groupDevices) }
            try IDTemplate.validate(template, count: count, at: map.position(of: "id"))
            let start = try map.optional("start") { r throws(ScenarioError) in try r.choice(["immediately", "on_ramp_up"]) }
            groups.append(FleetGroup(
                name: name,
                count: count,
                idTemplate: template,
                chip: chip,
                firmwareVersion: try map.optional("firmware") { r throws(ScenarioError) in try r.string() } ?? FleetDefaults.firmwareVersion,
                provisioned: try map.optional("provisioned") { r throws(ScenarioError) in try r.bool() } ?? FleetDefaults.provisioned,
                heartbeat: try map.optional("heartbeat") { r throws(ScenarioError) in
                    try r.duration(within: FleetLimits.heartbeat)
                } ?? FleetDefaults.heartbeat,
                qos: try map.optional("qos") { r throws(ScenarioError) in try r.int(in: FleetLimits.qos) } ?? FleetDefaults.qos,
                rampPerSecond: try map.optional("ramp") { r throws(ScenarioError) in try r.rate() } ?? FleetDefaults.rampPerSecond,
                startAtBeginning: start != "on_ramp_up",
                position: map.position,
                telemetry: try map.node("telemetry").map { n throws(ScenarioError) in try BackendShapeSchema.telemetry(n, file: file) } ?? [],
                provisioning: try map.node("provisioning").map { n throws(ScenarioError) in try ProvisioningSchema.parse(n, file: file) }))
        }
        try BackendShapeSchema.checkStreamNames(groups)
        return groups
    }
}
