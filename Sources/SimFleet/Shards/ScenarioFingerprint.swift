import DeviceCore

/// What makes two runs "the same scenario" for sharding and merging: a SHA-256 over the scenario
/// as it ran (overrides such as `--scale` or `--seed` applied) and its plan — name, seed, duration,
/// fleet groups, every planned device id, firmware, WiFi, timeline and expectations. The backend is
/// left out: shards may reach one broker through different addresses.
public enum ScenarioFingerprint {
    public static func of(_ scenario: Scenario) -> String {
        var text = "simfleet-scenario-1\n"
        func line(_ parts: String...) { text += parts.joined(separator: "\t") + "\n" }
        line("name", scenario.name)
        line("seed", String(scenario.seed))
        line("duration_us", String(scenario.duration.microseconds))
        for g in scenario.fleet {
            line("group", g.name, String(g.count), g.idTemplate, g.chip.idPrefix, g.firmwareVersion, String(g.provisioned),
                 String(g.heartbeat.microseconds), String(g.qos), String(g.rampPerSecond), String(g.startAtBeginning))
        }
        let plan = ScenarioPlan(scenario)
        for d in plan.devices { line("device", d.id) }
        for (i, step) in plan.steps.enumerated() {
            line("step", String(i + 1), step.kind, String(describing: scenario.timeline[i].trigger),
                 String(describing: scenario.timeline[i].action), step.targets.map(String.init).joined(separator: ","))
        }
        for f in scenario.firmware { line("firmware", String(describing: f)) }
        for n in scenario.wifi { line("wifi", String(describing: n)) }
        for e in scenario.expectations { line("expect", e.text) }
        return hexString(OpenSSLSHA256.digest(Array(text.utf8)))
    }
}
