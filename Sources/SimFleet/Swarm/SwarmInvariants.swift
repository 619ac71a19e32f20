import DeviceCore
import DeviceTestKit

/// An invariant the swarm found broken: which, on which device, when, and what was seen.
public struct SwarmViolation: Equatable, Sendable, CustomStringConvertible {
    public enum Invariant: String, Equatable, Sendable, CaseIterable {
        case bootsValidImage = "every device boots a valid image"
        case neverRunsRefusedImage = "no device runs an image it refused"
        case antiRollbackNeverDown = "anti-rollback never goes down"
        case heartbeatSequenceMonotonic = "heartbeat sequence numbers are monotonic per boot"
        case acknowledgedDelivered = "every acknowledged message is delivered or accounted for"
        case fleetSettles = "every device is back online once the faults end"
    }

    public var invariant: Invariant
    public var device: Int
    public var deviceID: String
    public var at: TimeSpan
    public var detail: String

    public var description: String {
        invariant.rawValue + " — broken on #" + String(device) + " (" + deviceID + ") at +"
            + String(at.milliseconds / 1000) + "." + String(at.milliseconds % 1000 / 100) + "s: " + detail
    }
}

/// Checks the swarm's invariants from inside the fleet, after every boot, every event a device
/// handled and every status the backend received, and at the end.
final class SwarmInvariants: VirtualFleetMonitor {
    private(set) var violation: SwarmViolation?
    /// Genuine releases' images, by version.
    let genuine: [String: [UInt8]]
    private let start: Instant
    private var maxSecureVersion: [Int: UInt32] = [:]
    private var lastStatus: [Int: (boot: Int, seq: Int)] = [:]
    private var refusals: [Int: Int] = [:]
    /// Rogue versions each device refused.
    private(set) var refusedRogues: [Int: Set<String>] = [:]
    /// The rogue version last offered to each device (a refusal that follows is of that image).
    var offered: [Int: String] = [:]

    init(genuine: [String: [UInt8]], start: Instant) {
        self.genuine = genuine
        self.start = start
    }

    private func fail(_ invariant: SwarmViolation.Invariant, _ p: VirtualPartition, _ slot: Int, _ detail: String) {
        guard violation == nil else { return }
        violation = SwarmViolation(invariant: invariant, device: p.fleetIndex(ofSlot: slot), deviceID: p.hosts[slot].identity.id,
                                   at: p.now - start, detail: detail)
        p.simulation.note(p.hosts[slot].identity.id + ": INVARIANT BROKEN: " + violation!.description)
    }

    func booted(_ p: VirtualPartition, slot: Int, info: BootInfo?) {
        let device = p.fleetIndex(ofSlot: slot)
        guard let chip = p.hosts[slot].chip else { return }
        p.simulation.note(p.hosts[slot].identity.id + ": boot → " + (info.map {
            $0.firmwareVersion + ($0.pendingVerify ? " (pending verify)" : "") + ($0.rolledBackFrom.map { ", rolled back from " + $0 } ?? "")
        } ?? "nothing bootable") + ", eFuse secure_version " + String(chip.efuses.secureVersion))
        guard let info, let boot = chip.hardware.lastBoot else {
            return fail(.bootsValidImage, p, slot, "the bootloader found nothing bootable")
        }
        guard let image = genuine[info.firmwareVersion] else {
            if refusedRogues[device]?.contains(info.firmwareVersion) ?? false {
                return fail(.neverRunsRefusedImage, p, slot, "booted " + info.firmwareVersion + ", which it refused earlier")
            }
            return fail(.bootsValidImage, p, slot, "booted " + info.firmwareVersion + ", which is no genuine release")
        }
        let inSlot = (try? chip.flash.read(offset: boot.partition.offset, length: image.count)) ?? []
        if inSlot != image {
            return fail(.bootsValidImage, p, slot, "the image in " + boot.partition.name + " is not release " + info.firmwareVersion
                        + " byte for byte")
        }
        checkAntiRollback(p, slot)
        if boot.app.secureVersion < chip.efuses.secureVersion {
            fail(.antiRollbackNeverDown, p, slot, "runs secure_version " + String(boot.app.secureVersion) + " below the eFuse counter "
                 + String(chip.efuses.secureVersion))
        }
    }

    func handled(_ p: VirtualPartition, slot: Int, event: Event, actions: [Action]) {
        checkAntiRollback(p, slot)
        let device = p.fleetIndex(ofSlot: slot)
        let now = p.hosts[slot].firmware.counters.otaRefusals
        if now > refusals[device, default: 0] {
            refusals[device] = now
            if let rogue = offered[device] {
                refusedRogues[device, default: []].insert(rogue)
                p.simulation.note(p.hosts[slot].identity.id + ": refused rogue image " + rogue)
            }
        }
    }

    private func checkAntiRollback(_ p: VirtualPartition, _ slot: Int) {
        guard let chip = p.hosts[slot].chip else { return }
        let device = p.fleetIndex(ofSlot: slot)
        let counter = chip.efuses.secureVersion
        let highest = maxSecureVersion[device, default: 0]
        if counter < highest {
            fail(.antiRollbackNeverDown, p, slot, "the eFuse counter went from " + String(highest) + " down to " + String(counter))
        }
        maxSecureVersion[device] = max(highest, counter)
    }

    func received(_ p: VirtualPartition, slot: Int, fields: HeartbeatFields, payload: [UInt8]) {
        let device = p.fleetIndex(ofSlot: slot)
        if let last = lastStatus[device] {
            if fields.bootCount < last.boot {
                return fail(.heartbeatSequenceMonotonic, p, slot, "boot_count went from " + String(last.boot) + " to " + String(fields.bootCount))
            }
            if fields.bootCount == last.boot && fields.seq <= last.seq {
                return fail(.heartbeatSequenceMonotonic, p, slot, "seq " + String(fields.seq) + " after " + String(last.seq) + " in boot "
                            + String(fields.bootCount))
            }
        }
        lastStatus[device] = (fields.bootCount, fields.seq)
    }

    /// At the end: acknowledged heartbeats all delivered; after the quiet minutes, every device
    /// powered, running a genuine release and online.
    func finish(_ fleet: VirtualFleet) {
        for p in fleet.partitions {
            for slot in p.hosts.indices {
                let h = p.hosts[slot]
                let missing = h.acknowledged.subtracting(h.received)
                if let first = missing.first {
                    fail(.acknowledgedDelivered, p, slot, String(missing.count) + " acknowledged heartbeats never reached the backend (first seq "
                         + String(HeartbeatFields.seq(ofKey: first)) + ")")
                }
                if h.isPoweredOn, h.link != .online {
                    fail(.fleetSettles, p, slot, "still " + String(describing: h.link) + " two minutes after the last fault (running "
                         + h.runningVersion + ")")
                }
            }
        }
    }
}
