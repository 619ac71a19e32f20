import DeviceCore

/// One thing the swarm does to a fleet at a virtual instant: a fault or an operator's action.
public struct SwarmEvent: Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        /// An install command for a release (or a manifest check after publishing it).
        case rollout(version: String, viaManifest: Bool)
        /// An image the devices must refuse, offered as an install command.
        case rogue(SwarmRelease.Rogue)
        /// Power off for `off`, then on.
        case powerCycle(off: TimeSpan)
        /// Power fails at the `atOperation`-th flash operation from now, leaving it torn.
        case tornCut(atOperation: Int, numerator: Int, denominator: Int, off: TimeSpan)
        /// The devices lose the broker and the origin for `duration`.
        case partition(duration: TimeSpan)
        /// The origin corrupts (once), truncates or drops (once) these devices' downloads of `version`.
        case corruptDownloads(version: String)
        case truncateDownloads(version: String, fraction: Double)
        case dropDownloads(version: String, fraction: Double)
        /// The broker goes away for `down`.
        case brokerRestart(down: TimeSpan)
        /// `POST /reboot` on the devices' local API (a software reset, mid-rollout or not).
        case reboot
        /// Every origin fault ends.
        case clearFaults
    }

    /// Offset from the start of the run.
    public var at: TimeSpan
    public var kind: Kind
    /// Fleet indices it acts on (empty for fleet-wide events).
    public var devices: [Int]

    public var description: String {
        let who = devices.isEmpty ? "" : " on " + (devices.count <= 6 ? devices.map { "#" + String($0) }.joined(separator: ",")
                                                   : String(devices.count) + " devices")
        let when = "+" + String(at.milliseconds / 1000) + "." + String(at.milliseconds % 1000 / 100) + "s "
        switch kind {
        case .rollout(let v, let manifest): return when + "rollout " + v + (manifest ? " (manifest)" : "") + who
        case .rogue(let r): return when + "offer rogue image " + r.version + " (" + r.why + ")" + who
        case .powerCycle(let off): return when + "power cycle, off " + String(off.milliseconds) + " ms" + who
        case .tornCut(let n, let a, let b, _):
            return when + "power cut at flash operation " + String(n) + ", " + String(a) + "/" + String(b) + " of it lands" + who
        case .partition(let d): return when + "partition for " + String(d.milliseconds / 1000) + " s" + who
        case .corruptDownloads(let v): return when + "corrupt downloads of " + v + who
        case .truncateDownloads(let v, let f): return when + "truncate downloads of " + v + " at " + String(Int(f * 100)) + "%" + who
        case .dropDownloads(let v, let f): return when + "drop downloads of " + v + " at " + String(Int(f * 100)) + "%" + who
        case .brokerRestart(let d): return when + "broker restart, down " + String(d.milliseconds / 1000) + " s"
        case .reboot: return when + "POST /reboot" + who
        case .clearFaults: return when + "clear origin faults"
        }
    }
}

/// The firmware a swarm fleet lives with: genuine releases with their anti-rollback secure
/// versions (one of them a bad build that cannot reach the broker), and rogue images a device
/// must refuse.
public enum SwarmRelease {
    public static let factory = "1.0.0"
    public static let genuine: [String: UInt32] = ["1.0.0": 1, "1.1.0": 1, "2.0.0": 2, "2.1.0": 2, "3.0.0": 3]
    /// A release whose firmware never reaches the broker: devices that install it roll back.
    public static let broken = "2.1.0"

    /// An image offered to devices that they must refuse.
    public struct Rogue: Equatable, Sendable {
        public var version: String
        public var why: String
        public var chip: ChipModel
        public var secureVersion: UInt32
    }

    public static let rogues = [
        Rogue(version: "9.0.0", why: "secure_version 0 below the eFuse counter", chip: .esp32c6, secureVersion: 0),
        Rogue(version: "6.6.6", why: "built for the ESP32, not the ESP32-C6", chip: .esp32, secureVersion: 3),
    ]

    static func rogueFile(_ r: Rogue) -> String { "rogue-" + r.version + ".bin" }
}

/// A seeded random fault schedule: the same seed gives the same events, at the same instants, on
/// the same devices. The last two minutes are quiet (faults cleared) so the fleet can settle
/// before the final checks.
public struct SwarmSchedule: Equatable, Sendable {
    public var events: [SwarmEvent]

    public init(events: [SwarmEvent]) { self.events = events }

    public static func random(seed: UInt64, devices: Int, duration: TimeSpan) -> SwarmSchedule {
        var random = SeededRandom(seed: seed &* 0x9E37_79B9_7F4A_7C15 ^ 0x5A17)
        func pick(_ n: Int) -> Int { Int(random.next(upTo: UInt64(max(0, n - 1)))) }
        func chance(_ percent: Int) -> Bool { pick(100) < percent }
        func someDevices(max most: Int) -> [Int] {
            let count = 1 + pick(min(most, devices))
            var chosen = Set<Int>()
            while chosen.count < count { chosen.insert(pick(devices)) }
            return chosen.sorted()
        }
        let quietAt = duration.microseconds - 120_000_000
        func instant() -> TimeSpan { TimeSpan(microseconds: 20_000_000 + Int64(random.next(upTo: UInt64(max(1, quietAt - 20_000_000))))) }
        let versions = ["1.1.0", "2.0.0", "2.1.0", "3.0.0"]
        var events: [SwarmEvent] = []
        for _ in 0..<(4 + pick(6)) {
            events.append(SwarmEvent(at: instant(), kind: .rollout(version: versions[pick(versions.count)], viaManifest: chance(30)),
                                     devices: chance(40) ? Array(0..<devices) : someDevices(max: devices)))
        }
        for _ in 0..<(6 + pick(14)) {
            let at = instant()
            let who = someDevices(max: max(1, devices / 5))
            let kind: SwarmEvent.Kind
            switch pick(9) {
            case 0: kind = .rogue(SwarmRelease.rogues[pick(SwarmRelease.rogues.count)])
            case 1: kind = .powerCycle(off: .milliseconds(Int64(200 + pick(10_000))))
            case 2, 3:
                let d = 2 + pick(5)
                kind = .tornCut(atOperation: 1 + pick(24), numerator: pick(d + 1), denominator: d, off: .milliseconds(Int64(200 + pick(5000))))
            // Faults that last end by the quiet time: the fleet gets its two minutes to settle.
            case 4: kind = .partition(duration: min(.seconds(Int64(5 + pick(90))), TimeSpan(microseconds: quietAt - at.microseconds)))
            case 5: kind = .corruptDownloads(version: versions[pick(versions.count)])
            case 6: kind = chance(50) ? .truncateDownloads(version: versions[pick(versions.count)], fraction: Double(10 + pick(80)) / 100)
                                      : .dropDownloads(version: versions[pick(versions.count)], fraction: Double(10 + pick(80)) / 100)
            case 7: kind = .brokerRestart(down: min(.seconds(Int64(1 + pick(30))), TimeSpan(microseconds: quietAt - at.microseconds)))
            default: kind = .reboot
            }
            let fleetWide: Bool
            if case .brokerRestart = kind { fleetWide = true } else { fleetWide = false }
            events.append(SwarmEvent(at: at, kind: kind, devices: fleetWide ? [] : who))
        }
        events.append(SwarmEvent(at: TimeSpan(microseconds: quietAt), kind: .clearFaults, devices: []))
        return SwarmSchedule(events: events.sorted { $0.at < $1.at })
    }
}
