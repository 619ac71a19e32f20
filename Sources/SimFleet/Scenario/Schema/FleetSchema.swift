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
            let name = try map.optional("name") { r throws(ScenarioError) in try r.string() } ?? (items.count == 1 ? "fleet" : "group" + String(i + 1))
            if groups.contains(where: { $0.name == name }) {
                throw ScenarioError("duplicate fleet group name '" + name + "'", at: map.position(of: "name"), key: "name")
            }
            let chip = try map.optional("chip") { r throws(ScenarioError) -> ChipModel in
                let text = try r.string()
                guard let chip = ChipModel(name: text) else {
                    throw r.fail("must be one of esp32, esp32s3, esp32c3, esp32c6, found '" + text + "'")
                }
                return chip
            } ?? .esp32c6
            let template = try map.optional("id") { r throws(ScenarioError) in try r.string() } ?? "{chip}-{n:06}"
            let count = try map.value("count") { r throws(ScenarioError) in try r.int(in: 1...100_000) }
            try IDTemplate.validate(template, count: count, at: map.position(of: "id"))
            let start = try map.optional("start") { r throws(ScenarioError) in try r.choice(["immediately", "on_ramp_up"]) }
            groups.append(FleetGroup(
                name: name,
                count: count,
                idTemplate: template,
                chip: chip,
                firmwareVersion: try map.optional("firmware") { r throws(ScenarioError) in try r.string() } ?? "1.0.0",
                provisioned: try map.optional("provisioned") { r throws(ScenarioError) in try r.bool() } ?? true,
                heartbeat: try map.optional("heartbeat") { r throws(ScenarioError) in
                    try r.duration(min: .milliseconds(100), max: .seconds(3600))
                } ?? .seconds(10),
                qos: try map.optional("qos") { r throws(ScenarioError) in try r.int(in: 0...2) } ?? 1,
                rampPerSecond: try map.optional("ramp") { r throws(ScenarioError) in try r.rate() } ?? 1000,
                startAtBeginning: start != "on_ramp_up",
                position: map.position,
                telemetry: try map.node("telemetry").map { n throws(ScenarioError) in try BackendShapeSchema.telemetry(n, file: file) } ?? [],
                provisioning: try map.node("provisioning").map { n throws(ScenarioError) in try ProvisioningSchema.parse(n, file: file) }))
        }
        try BackendShapeSchema.checkStreamNames(groups)
        return groups
    }
}
