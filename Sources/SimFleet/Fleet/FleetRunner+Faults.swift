import DeviceCore
import Dispatch

/// Device-side faults and device queries the scenario engine uses while a run goes on (thread-safe).
extension FleetRunner {
    /// Arms a power cut during the flash write of each device's next update: at a flash operation
    /// chosen from the device's seed (2nd…17th), the write does not land and power returns after `off`.
    public func cutPowerDuringNextFlashWrite(devices: [Int], off: TimeSpan) {
        forEachHost(devices) { h, _ in h.armPowerCut(atFlashOp: 2 + Int(h.identity.seed % 16), off: off) }
    }

    /// Adds `latency` to the devices' links both ways and loses `loss` (0…1) of first transmissions
    /// (resent after TCP's retransmission timeout); nil and 0 restore a clean link. Acts through the
    /// fault proxy, so the devices must be among `configuration.proxiedDevices`.
    public func impairLinks(devices: [Int], latency: TimeSpan?, loss: Double) {
        if let latency { applyToxic(.latency(latency, jitter: .zero), devices: devices) } else { clearToxics(.latency, devices: devices) }
        if loss > 0 { applyToxic(.packetLoss(loss), devices: devices) } else { clearToxics(.packetLoss, devices: devices) }
    }

    /// Powers on the devices that wait for a ramp-up (`start: on_ramp_up`), `perSecond` apart in
    /// the given order; devices already on are left alone. Returns at once.
    public func rampUp(devices: [Int], perSecond: Double) {
        let order = Dictionary(uniqueKeysWithValues: devices.enumerated().map { ($1, $0) })
        forEachHost(devices) { h, now in
            guard let at = h.life.powerOnAt, at > now + .seconds(86_400) else { return }
            let offset = Double(order[h.identity.index] ?? 0) / perSecond
            h.movePowerOn(to: now + TimeSpan(microseconds: Int64(offset * 1_000_000)))
        }
    }

    /// Drops each device's MQTT connection (no DISCONNECT); the devices reconnect with backoff.
    public func dropConnections(devices: [Int]) {
        forEachHost(devices) { h, _ in h.dropMQTTConnection() }
    }

    /// The firmware version each device runs now (devices not yet created are left out).
    public func runningVersions(devices: [Int]) -> [Int: String] {
        let n = shards.count
        let slice = configuration.slice
        var out: [Int: String] = [:]
        for (r, shard) in shards.enumerated() {
            let mine = devices.filter { slice.localIndex(ofFleet: $0).map { $0 % n == r } ?? false }
            guard !mine.isEmpty else { continue }
            let part: [(Int, String)] = syncOn(shard.reactor) {
                mine.compactMap { i in shard.host(fleetIndex: slice.localIndex(ofFleet: i)!, stride: n).map { (i, $0.runningVersion) } }
            }
            for (i, v) in part { out[i] = v }
        }
        return out
    }

    /// Sends `request` to a device's local HTTP API and waits (up to `timeoutSeconds`) for its answer.
    public func localRequest(device index: Int, _ request: HTTPRequest, timeoutSeconds: Double = 5) -> HTTPResponse? {
        let n = shards.count
        guard let index = configuration.slice.localIndex(ofFleet: index), index < configuration.localDevices, n > 0 else { return nil }
        let shard = shards[index % n]
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var answer: HTTPResponse?
        shard.reactor.post { _ in
            guard let host = shard.host(fleetIndex: index, stride: n) else { done.signal(); return }
            host.localRequest(request) { response in
                answer = response
                done.signal()
            }
        }
        guard done.wait(timeout: .now() + timeoutSeconds) == .success else { return nil }
        return answer
    }
}
