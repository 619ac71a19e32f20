import ArgumentParser
import DeviceCore
import Foundation
import SimFleet

/// `simfleet run --virtual-time`: the same run with no sockets, as fast as the CPU allows.
extension RunCommand {
    /// Flags that only make sense with real sockets, as they are named on the command line.
    var socketOnlyFlags: [String] {
        var out: [String] = []
        if broker != nil { out.append("--broker") }
        if metricsPort != nil { out.append("--metrics-port") }
        if shard != nil { out.append("--shard") }
        if syncDir != nil { out.append("--sync-dir") }
        if startAt != nil { out.append("--start-at") }
        if !sourceIPs.isEmpty { out.append("--source-ip") }
        if timerTick != nil { out.append("--timer-tick") }
        if unprovisioned { out.append("--unprovisioned") }
        if firmwareDir != nil { out.append("--firmware-dir") }
        if api != nil { out.append("--api") }
        if telemetryEvery != nil { out.append("--telemetry-every") }
        if deviceHTTP { out.append("--device-http") }
        if printAddresses { out.append("--print-addresses") }
        if mqtt != nil { out.append("--mqtt") }
        return out
    }

    /// Threads for a virtual run: `--reactors`, else one per core for fleets big enough to gain.
    static func virtualThreads(_ reactors: Int?, devices: Int) -> Int {
        reactors ?? min(ProcessInfo.processInfo.activeProcessorCount, max(1, devices / 500))
    }
}
