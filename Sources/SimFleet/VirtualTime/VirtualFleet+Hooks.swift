import DeviceCore
import DeviceTestKit

/// The timeline's hooks, `FleetRunner`'s in virtual time: called at an epoch boundary, acting at `now`.
extension VirtualFleet {
    /// Power-cycles these devices: no DISCONNECT (their wills fire), back after `offFor`.
    public func powerCycle(devices: [Int], offFor: TimeSpan) {
        forEach(devices) { p, slot in p.powerCycle(slot, offFor: offFor) }
    }

    /// Takes WiFi away from these devices for `downFor`.
    public func dropWiFi(devices: [Int], downFor: TimeSpan) {
        forEach(devices) { p, slot in p.dropWiFi(slot, downFor: downFor) }
    }

    /// Arms a power cut during each device's next update (the socket fleet's rule: at the 2nd…17th
    /// flash operation, chosen from the device's seed; the operation does not land).
    public func cutPowerDuringNextFlashWrite(devices: [Int], off: TimeSpan) {
        forEach(devices) { p, slot in
            var faults = p.hosts[slot].faults
            faults.powerCutAtFlashOp = 2 + Int(p.hosts[slot].identity.seed % 16)
            faults.flashOpsInUpdate = 0
            faults.powerCutOff = off
            p.hosts[slot].faults = faults
        }
    }

    /// Adds latency to every outgoing publish and loses `loss` of first transmissions.
    public func impairLinks(devices: [Int], latency: TimeSpan?, loss: Double) {
        forEach(devices) { p, slot in
            var faults = p.hosts[slot].faults
            faults.latency = latency
            faults.loss = loss
            if faults.random == nil { faults.random = SeededRandom(seed: p.hosts[slot].identity.seed ^ 0x5EED_1055) }
            p.hosts[slot].faults = faults
        }
    }

    /// Powers on dormant devices, `perSecond` apart in the given order.
    public func rampUp(devices: [Int], perSecond: Double) {
        for (order, i) in devices.enumerated() {
            guard let (p, slot) = locate(i) else { continue }
            p.rampUp(slot, after: TimeSpan(microseconds: Int64(Double(order) / perSecond * 1_000_000)))
        }
    }

    /// Drops each device's MQTT connection (no DISCONNECT); the devices reconnect with backoff.
    public func dropConnections(devices: [Int]) {
        forEach(devices) { p, slot in p.dropMQTT(slot) }
    }

    /// The broker goes away now and comes back after `down` (same as a Mosquitto restart: no
    /// wills, nothing retained).
    public func restartBroker(down: TimeSpan) {
        for p in partitions { p.brokerStops() }
        at(now + down) { [unowned self] in
            for p in self.partitions {
                p.brokerUp = true
                p.simulation.note("broker: back")
            }
        }
    }

    /// Publishes `payload` to `device/<id>/ota` of each device (an operator command).
    public func sendCommand(devices: [Int], payload: [UInt8]) {
        noteCommands(devices.count)
        forEach(devices) { p, slot in p.command(slot, payload: payload) }
    }

    /// ACL probe: each device subscribes to `topic(index)`.
    public func probeACL(devices: [Int], topic: (Int) -> String) {
        forEach(devices) { p, slot in p.probeACL(slot, topic: topic(p.fleetIndex(ofSlot: slot))) }
    }

    /// Builds release `version` (once), serves it as `fw-<version>.bin` and, with `manifest`, points
    /// `manifest.json` at it. Returns the image's URL.
    @discardableResult
    public func publishRelease(_ version: String, manifest: Bool = true) throws(FirmwareCatalogError) -> String {
        guard let firmware else { throw .write("no firmware catalog in this run") }
        let file = FirmwareCatalog.fileName(version)
        serve(file, try firmware.image(version).bytes)
        if manifest { publishManifest(version) }
        return originURL(file)
    }

    /// The embedded origin's faults on the scripted origin: targeted ones first (they win), then
    /// the shares of every download that are corrupted, truncated (to half) or dropped (at half),
    /// and the send rate limit.
    public func setOriginFaults(_ faults: OriginFaults) {
        let rate = faults.rateLimitBytesPerSecond ?? FirmwareServer.defaultBytesPerSecond
        for p in partitions { p.origin.bytesPerSecond = rate }
        var shares: [FirmwareServer.FaultRule] = []
        if faults.corruptPercent > 0 {
            shares.append(.init(.corrupt(at: nil), clients: nil, once: false, share: faults.corruptPercent / 100))
        }
        if faults.truncatePercent > 0 {
            shares.append(.init(.truncate(fraction: 0.5), clients: nil, once: false, share: faults.truncatePercent / 100))
        }
        if faults.dropPercent > 0 {
            shares.append(.init(.drop(fraction: 0.5), clients: nil, once: false, share: faults.dropPercent / 100))
        }
        setOriginFaults(faults.targeted.map { t in
            let fault: FirmwareServer.Fault
            var once = true
            switch t.kind {
            case .corrupt: fault = .corrupt(at: nil)
            case .truncate(let fraction):
                fault = .truncate(fraction: fraction)
                once = false
            case .drop(let fraction): fault = .drop(fraction: fraction)
            case .stall(let fraction): fault = .stall(fraction: fraction)
            case .slow(let rate):
                fault = .slow(bytesPerSecond: rate)
                once = false
            }
            return FirmwareServer.FaultRule(fault, path: t.file, clients: t.devices, once: once)
        } + shares)
    }
}
