import DeviceCore

/// What the fleet runtime can execute today. A scenario that needs more is refused before the run
/// starts with a positioned "not supported yet" error (exit 2), never run with a step skipped.
/// `simfleet validate` accepts these scenarios: they are valid, the runtime is what lags.
public enum RuntimeSupport {
    /// Every feature of `scenario` the runtime cannot do yet, in file order.
    public static func unsupported(_ scenario: Scenario) -> [ScenarioError] {
        var out: [ScenarioError] = []
        func no(_ what: String, at position: SourcePosition, key: String? = nil) {
            out.append(ScenarioError("not supported yet: " + what, at: position, key: key))
        }
        for (i, group) in scenario.fleet.enumerated().dropFirst() where group.chip != scenario.fleet[0].chip {
            no("groups of different chips in one run (the flash model builds one chip's images)",
               at: scenario.position(of: "fleet[" + String(i) + "].chip"), key: "chip")
        }
        for (i, image) in scenario.firmware.enumerated() {
            if case .file = image.source {
                no("firmware images from a file (the embedded origin serves generated images)",
                   at: scenario.position(of: "firmware[" + String(i) + "].file"), key: "file")
            }
        }
        if case .embedded(let embedded) = scenario.backend, !embedded.acl {
            no("'acl: false' (the embedded broker always confines each device to its own topics)",
               at: scenario.position(of: "backend.embedded.acl"), key: "acl")
        }
        if case .external(let backend) = scenario.backend, backend.tls?.verifyHostname == false {
            no("'verify_hostname: false' (the runtime always verifies)", at: scenario.position(of: "backend.tls.verify_hostname"),
               key: "verify_hostname")
        }
        for step in scenario.timeline where !scenario.backend.isEmbedded {
            if step.kind == "broker_restart" || step.kind == "broker_kill" || step.kind == "firmware_fault" {
                out.append(ScenarioError("'" + step.kind + "' needs the embedded backend, and --broker names another",
                                         at: step.position, key: step.kind))
            }
        }
        for step in scenario.timeline {
            if case .after(let condition, _) = step.trigger {
                for figure in figures(condition.comparison) where !LiveFigures.isLive(figure.path) {
                    no("condition on " + figure.canonical + " during the run (live figures: "
                       + LiveFigures.description + ")", at: step.position, key: "after")
                }
            }
            switch step.action {
            case .wait, .hold, .brokerRestart, .brokerKill, .clearFaults, .brokerOutage:
                break
            case .deviceFault(let fault):
                if case .resetWiFi(true) = fault.kind, scenario.fleet.allSatisfy(\.provisioned) {
                    no("reset_wifi with reprovision on devices that started provisioned (only unprovisioned groups get portal sockets)",
                       at: step.position, key: "device_fault")
                }
            case .rampUp: break
            case .firmwareFault: break
            case .rollout:
                break  // with any broker: the observer publishes, images come from the local origin or the step's url
            case .networkFault: break
            case .provision(let p):
                if scenario.fleet.allSatisfy(\.provisioned) {
                    no("provision in a fleet whose devices all start provisioned (no portals)", at: step.position, key: "provision")
                } else if p.via == .idfSoftAP, !scenario.fleet.contains(where: { !$0.provisioned && $0.runsIDFSoftAP }) {
                    no("provision via idf_softap, but no unprovisioned group runs the idf_softap scheme (its 'provisioning:')",
                       at: step.position, key: "provision")
                }
            case .aclProbe:
                if !scenario.backend.isEmbedded {
                    no("acl_probe against an external broker (its refusals are judged by the embedded broker's rules)",
                       at: step.position, key: "acl_probe")
                }
            }
        }
        return out
    }

    static func figures(_ c: Comparison) -> [Figure] {
        [c.lhs, c.rhs].compactMap { operand in
            if case .figure(let f) = operand { return f }
            return nil
        }
    }
}
