import DeviceCore
import Yams

/// `timeline:` — steps, each with an optional trigger (`at` or `after`) and exactly one action.
enum TimelineSchema {
    struct Context {
        var file: String
        var fleet: [FleetGroup]
        var firmware: [FirmwareImageSpec]
        var backend: Backend
        var duration: TimeSpan
        /// Networks of `wifi:` (empty: the default neighbourhood), which `provision` may name.
        var wifi: [SimulatedNetwork] = []
        /// `backend.manifest`, which `rollout` with `via: manifest` or `poll` depends on.
        var manifest: ManifestOptions? = nil
    }

    static let triggerKeys = ["name", "at", "after", "timeout"]
    static let actionKeys = ["ramp_up", "wait", "hold", "rollout", "firmware_fault", "device_fault", "network_fault",
                             "broker_restart", "broker_kill", "provision", "acl_probe", "clear_faults", "broker_outage"]

    static func parse(_ node: Node, _ context: Context) throws(ScenarioError) -> [TimelineStep] {
        guard case .sequence(let items) = node else {
            throw ScenarioError("'timeline' must be a list of steps", at: YAMLMapping.position(of: node, file: context.file),
                                key: "timeline")
        }
        var steps: [TimelineStep] = []
        for item in items { steps.append(try step(item, context)) }
        return steps
    }

    static func step(_ node: Node, _ context: Context) throws(ScenarioError) -> TimelineStep {
        let map = try YAMLMapping(node, file: context.file, context: "timeline step", allowed: triggerKeys + actionKeys)
        let actions = map.orderedKeys.filter(actionKeys.contains)
        guard actions.count == 1 else {
            if actions.isEmpty {
                throw ScenarioError("timeline step needs one action (one of: " + actionKeys.joined(separator: ", ") + ")",
                                    at: map.position)
            }
            throw ScenarioError("timeline step has two actions, '" + actions[0] + "' and '" + actions[1]
                                + "'; give each its own step", at: map.position(of: actions[1]), key: actions[1])
        }
        if map.has("at") && map.has("after") {
            throw ScenarioError("a step starts either 'at' a time or 'after' a condition, not both",
                                at: map.position(of: "after"), key: "after")
        }
        if map.has("timeout") && !map.has("after") {
            throw ScenarioError("'timeout' only applies to a step with 'after'", at: map.position(of: "timeout"), key: "timeout")
        }
        let trigger: StepTrigger
        if let at = try map.optional("at", { r throws(ScenarioError) in try r.duration(max: context.duration) }) {
            trigger = .at(at)
        } else if let afterNode = map.node("after") {
            let (text, at) = try ScenarioLoader.expressionText(afterNode, file: context.file, key: "after")
            let condition = try ExpressionParser.condition(text, at: at)
            let timeout = try map.optional("timeout") { r throws(ScenarioError) in
                try r.duration(min: .seconds(1), max: context.duration)
            } ?? min(.seconds(300), context.duration)
            trigger = .after(condition, timeout: timeout)
        } else {
            trigger = .afterPrevious
        }
        let kind = actions[0]
        let reader = StepReader(map: map, kind: kind, context: context)
        return TimelineStep(name: try map.optional("name") { r throws(ScenarioError) in try r.string() },
                            trigger: trigger, action: try reader.action(), position: map.position)
    }
}
