import DeviceCore

/// What a scenario may ask of a virtual-time run beyond what the socket runtime supports
/// (`RuntimeSupport`). A feature virtual time cannot carry is refused before the run with its
/// position (exit 2), never skipped.
public enum VirtualTimeSupport {
    /// Every feature of `scenario` a virtual-time run cannot carry, in file order.
    public static func unsupported(_ scenario: Scenario) -> [ScenarioError] {
        var out: [ScenarioError] = []
        if case .external = scenario.backend {
            out.append(ScenarioError("an external broker in virtual time ('backend' names one; virtual time runs against its own"
                                     + " scripted broker and origin; run it without --virtual-time)",
                                     at: scenario.position(of: "backend"), key: "backend"))
        }
        if scenario.httpBackend.api != nil {
            out.append(ScenarioError("registration with an API in virtual time (it is an HTTP request on a real socket;"
                                     + " run it without --virtual-time)", at: scenario.position(of: "backend.api"), key: "api"))
        }
        if let manifest = scenario.httpBackend.manifest, manifest.url != nil || manifest.poll != nil {
            out.append(ScenarioError("a backend manifest or manifest polling in virtual time (the scripted origin answers"
                                     + " only the commanded updates; run it without --virtual-time)",
                                     at: scenario.position(of: "backend.manifest"), key: "manifest"))
        }
        for (i, group) in scenario.fleet.enumerated() where group.qos == 2 {
            out.append(ScenarioError("qos 2 in virtual time (the scripted broker acknowledges QoS 0 and 1;"
                                     + " run it without --virtual-time)", at: scenario.position(of: "fleet[" + String(i) + "].qos"),
                                     key: "qos"))
        }
        for (i, group) in scenario.fleet.enumerated() where !group.provisioned {
            out.append(ScenarioError("unprovisioned devices in virtual time (the captive portal is served on real sockets;"
                                     + " run it without --virtual-time)", at: scenario.position(of: "fleet[" + String(i) + "].provisioned"),
                                     key: "provisioned"))
        }
        for (i, group) in scenario.fleet.enumerated() where !group.telemetry.isEmpty {
            out.append(ScenarioError("telemetry streams in virtual time (the scripted broker accounts heartbeats only;"
                                     + " run it without --virtual-time)", at: scenario.position(of: "fleet[" + String(i) + "].telemetry"),
                                     key: "telemetry"))
        }
        if let stream = scenario.fleetTelemetry.first {
            out.append(ScenarioError("telemetry streams in virtual time (--telemetry-every; the scripted broker accounts"
                                     + " heartbeats only)", at: stream.position, key: "telemetry"))
        }
        if scenario.deviceHTTP != nil {
            out.append(ScenarioError("device_http in virtual time (the devices' web servers are real sockets;"
                                     + " run it without --virtual-time)", at: scenario.position(of: "device_http"), key: "device_http"))
        }
        for step in scenario.timeline {
            switch step.action {
            case .rollout(let r) where r.via == .poll || r.url != nil:
                out.append(ScenarioError("a rollout " + (r.url != nil ? "of an image at 'url'" : "'via: poll'")
                                         + " in virtual time (the scripted origin serves the scenario's releases to commanded"
                                         + " devices; run it without --virtual-time)", at: step.position, key: "rollout"))
            case .provision:
                out.append(ScenarioError("'provision' in virtual time (it talks HTTP and DNS to each device's portal on real"
                                         + " sockets)", at: step.position, key: "provision"))
            case .deviceFault(let fault):
                if case .resetWiFi = fault.kind {
                    out.append(ScenarioError("'reset_wifi' in virtual time (it goes through the device's portal on real sockets)",
                                             at: step.position, key: "device_fault"))
                }
            case .networkFault(let fault):
                switch fault.kind {
                case .disconnectStorm, .toxic(.packetLoss): break
                case .toxic(.latency(_, let jitter)) where jitter.microseconds == 0: break
                case .toxic(let toxic):
                    out.append(ScenarioError("network fault '" + toxic.kind.rawValue
                                             + (toxic.kind == .latency ? "' with jitter" : "'")
                                             + " in virtual time (the fault proxy acts on real connections; virtual time models"
                                             + " latency without jitter, packet loss and disconnect storms; run it without --virtual-time)",
                                             at: step.position, key: "network_fault"))
                }
            case .brokerKill:
                out.append(ScenarioError("'broker_kill' in virtual time (it kills the embedded mosquitto process; 'broker_restart'"
                                         + " is modelled; run it without --virtual-time)", at: step.position, key: "broker_kill"))
            case .brokerOutage:
                out.append(ScenarioError("'broker_outage' in virtual time (it is carried out by the fault proxy on real connections;"
                                         + " 'broker_restart' is modelled; run it without --virtual-time)",
                                         at: step.position, key: "broker_outage"))
            default:
                break
            }
        }
        return out
    }
}
