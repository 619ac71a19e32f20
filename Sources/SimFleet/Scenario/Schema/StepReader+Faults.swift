import DeviceCore
import Yams

/// The fault actions of a timeline step: firmware origin, device and network faults. Each fault
/// `kind` allows its own keys (`rate` only for `slow`, `off` only for `power_cycle`).
extension StepReader {
    func firmwareFault() throws(ScenarioError) -> FirmwareFault {
        guard context.backend.isEmbedded else {
            throw ScenarioError("'firmware_fault' needs the embedded backend (its firmware origin injects the fault)",
                                at: position, key: kind)
        }
        let (k, m) = try kinded(["corrupt": [], "truncate": ["at"], "slow": ["rate"], "drop": ["at"], "stall": ["at"]],
                                common: ["downloads", "version"])
        let at = try m.optional("at") { r throws(ScenarioError) in try r.percent() } ?? 0.5
        let faultKind: FirmwareFault.Kind
        switch k {
        case "corrupt": faultKind = .corrupt
        case "truncate": faultKind = .truncate(fraction: at)
        case "drop": faultKind = .drop(fraction: at)
        case "stall": faultKind = .stall(fraction: at)
        default: faultKind = .slow(bytesPerSecond: try m.value("rate") { r throws(ScenarioError) in try r.rate(bytes: true) })
        }
        let version = try m.optional("version") { r throws(ScenarioError) in try r.string() }
        if let version, !context.firmware.contains(where: { $0.version == version }) {
            throw ScenarioError("'version' " + version + " is not in 'firmware'", at: m.position(of: "version"), key: "version")
        }
        return FirmwareFault(kind: faultKind,
                             downloads: try m.optional("downloads") { r throws(ScenarioError) in try r.percent() } ?? 1,
                             version: version)
    }

    func deviceFault() throws(ScenarioError) -> DeviceFault {
        let (k, m) = try kinded(["power_cycle": ["off"], "power_loss_during_flash": [], "wifi_drop": ["duration"],
                                 "reset_wifi": ["reprovision"]], common: ["devices", "group"])
        let faultKind: DeviceFault.Kind
        switch k {
        case "power_cycle":
            faultKind = .powerCycle(off: try m.optional("off") { r throws(ScenarioError) in try r.duration(max: .seconds(600)) } ?? .seconds(2))
        case "power_loss_during_flash": faultKind = .powerLossDuringFlashWrite
        case "wifi_drop":
            faultKind = .wifiDrop(duration: try m.optional("duration") { r throws(ScenarioError) in
                try r.duration(min: .milliseconds(100), max: context.duration)
            } ?? .seconds(10))
        default:
            faultKind = .resetWiFi(reprovision: try m.optional("reprovision") { r throws(ScenarioError) in try r.bool() } ?? true)
        }
        return DeviceFault(kind: faultKind, devices: try devices(m, default: .count(1)), selector: try selector(m))
    }

    func networkFault() throws(ScenarioError) -> NetworkFault {
        let (k, m) = try kinded(["disconnect_storm": ["over"], "latency": ["delay", "jitter"], "packet_loss": ["loss"],
                                 "bandwidth": ["rate"], "slow_close": ["delay"], "timeout": ["timeout"],
                                 "reset_peer": ["timeout"], "limit_data": ["bytes"], "refuse": []],
                                common: ["devices", "group", "duration"])
        func span(_ key: String, min: TimeSpan = .zero, max: TimeSpan = .seconds(600)) throws(ScenarioError) -> TimeSpan? {
            try m.optional(key) { r throws(ScenarioError) in try r.duration(min: min, max: max) }
        }
        let faultKind: NetworkFault.Kind
        switch k {
        case "disconnect_storm":
            faultKind = .disconnectStorm(over: try span("over") ?? .zero)
        case "latency":
            let delay = try m.value("delay") { r throws(ScenarioError) in try r.duration(min: .milliseconds(1), max: .seconds(60)) }
            let jitter = try span("jitter", max: .seconds(60)) ?? .zero
            if jitter > delay {
                throw ScenarioError("'jitter' in network fault step of kind latency must not exceed 'delay'",
                                    at: m.position(of: "jitter"), key: "jitter")
            }
            faultKind = .toxic(.latency(delay, jitter: jitter))
        case "packet_loss":
            faultKind = .toxic(.packetLoss(try m.value("loss") { r throws(ScenarioError) in try r.percent() }))
        case "bandwidth":
            faultKind = .toxic(.bandwidth(bytesPerSecond: try m.value("rate") { r throws(ScenarioError) in try r.rate(bytes: true) }))
        case "slow_close":
            faultKind = .toxic(.slowClose(try m.value("delay") { r throws(ScenarioError) in try r.duration(max: .seconds(600)) }))
        case "timeout":
            // Toxiproxy's timeout: 0 (the default) holds the connection open forever.
            let after = try span("timeout") ?? .zero
            faultKind = .toxic(.timeout(closeAfter: after == .zero ? nil : after))
        case "reset_peer":
            faultKind = .toxic(.resetPeer(after: try span("timeout") ?? .zero))
        case "limit_data":
            faultKind = .toxic(.limitData(bytes: try m.value("bytes") { r throws(ScenarioError) in try r.bytes(in: 1...(1 << 30)) }))
        default:
            faultKind = .toxic(.refuse)
        }
        let duration = try m.optional("duration") { r throws(ScenarioError) in try r.duration(min: .milliseconds(1), max: context.duration) }
        return NetworkFault(kind: faultKind, devices: try devices(m, default: .all), selector: try selector(m), duration: duration)
    }

    /// `broker_outage: 30s` or `{down: 30s, mode: refuse | blackhole | reset}`: any broker (embedded
    /// or external) unreachable for the whole fleet, through the fault proxy.
    func brokerOutage() throws(ScenarioError) -> StepAction {
        if case .scalar = value {
            return .brokerOutage(down: try scalar { r throws(ScenarioError) in try r.duration(min: .milliseconds(100), max: context.duration) },
                                 mode: .refuse)
        }
        let m = try sub(["down", "mode"])
        let down = try m.optional("down") { r throws(ScenarioError) in try r.duration(min: .milliseconds(100), max: context.duration) }
            ?? .seconds(10)
        let mode = try m.optional("mode") { r throws(ScenarioError) in try r.choice(OutageMode.allCases.map(\.rawValue)) } ?? "refuse"
        return .brokerOutage(down: down, mode: OutageMode(rawValue: mode)!)
    }
}
