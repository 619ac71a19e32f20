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
        let (k, m) = try kinded(["disconnect_storm": ["over"], "latency": ["delay"], "packet_loss": ["loss"]],
                                common: ["devices", "group", "duration"])
        let faultKind: NetworkFault.Kind
        switch k {
        case "disconnect_storm":
            faultKind = .disconnectStorm(over: try m.optional("over") { r throws(ScenarioError) in try r.duration(max: .seconds(600)) } ?? .zero)
        case "latency":
            faultKind = .latency(try m.value("delay") { r throws(ScenarioError) in try r.duration(min: .milliseconds(1), max: .seconds(60)) })
        default:
            faultKind = .packetLoss(try m.value("loss") { r throws(ScenarioError) in try r.percent() })
        }
        let duration = try m.optional("duration") { r throws(ScenarioError) in try r.duration(min: .milliseconds(1), max: context.duration) }
        return NetworkFault(kind: faultKind, devices: try devices(m, default: .all), selector: try selector(m), duration: duration)
    }
}
