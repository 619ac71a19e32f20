import DeviceCore

/// Everything random about a run, decided before it starts from the scenario's seed: device ids,
/// the cohort of each rollout and the targets of each fault. Same scenario and seed, same plan.
public struct ScenarioPlan: Equatable, Sendable {
    /// One device of the fleet, in group order.
    public struct Device: Equatable, Sendable {
        public var id: String
        public var group: String
        public var chip: ChipModel
        public var firmwareVersion: String
        public var provisioned: Bool
    }

    /// The devices one timeline step acts on (indexes into `devices`, ascending).
    public struct Step: Equatable, Sendable {
        public var kind: String
        /// Empty for steps that act on no particular device (`wait`, `broker_restart`).
        public var targets: [Int]
    }

    public var devices: Devices
    public var steps: [Step]

    /// The fleet's devices in group order, stored as an id and a group number each (20 bytes a
    /// device, where a `Device` value is 64): a run holds its plan to the end, for every device.
    public struct Devices: RandomAccessCollection, Equatable, Sendable {
        fileprivate struct Group: Equatable, Sendable {
            let name: String
            let chip: ChipModel
            let firmwareVersion: String
            let provisioned: Bool
        }
        fileprivate var ids: [String] = []
        fileprivate var groupOfDevice: [UInt32] = []
        fileprivate var groups: [Group] = []

        public var startIndex: Int { 0 }
        public var endIndex: Int { ids.count }
        public subscript(i: Int) -> Device {
            let g = groups[Int(groupOfDevice[i])]
            return Device(id: ids[i], group: g.name, chip: g.chip, firmwareVersion: g.firmwareVersion, provisioned: g.provisioned)
        }
    }

    public init(_ scenario: Scenario) {
        var devices = Devices()
        let count = scenario.fleet.reduce(0) { $0 + $1.count }
        devices.ids.reserveCapacity(count)  // kept for the run: no doubling slack
        devices.groupOfDevice.reserveCapacity(count)
        for (g, group) in scenario.fleet.enumerated() {
            devices.groups.append(Devices.Group(name: group.name, chip: group.chip, firmwareVersion: group.firmwareVersion,
                                                provisioned: group.provisioned))
            var random = ScenarioPlan.stream(scenario.seed, purpose: 1, index: g)
            for i in 0..<group.count {
                devices.ids.append(IDTemplate.render(group.idTemplate, index: i, group: group, seed: scenario.seed, random: &random))
                devices.groupOfDevice.append(UInt32(g))
            }
        }
        self.devices = devices
        self.steps = scenario.timeline.enumerated().map { i, step in
            var random = ScenarioPlan.stream(scenario.seed, purpose: 2, index: i)
            return Step(kind: step.kind, targets: ScenarioPlan.targets(of: step.action, devices: devices, random: &random))
        }
    }

    /// Device ids of a step's targets.
    public func targetIDs(ofStep index: Int) -> [String] { steps[index].targets.map { devices[$0].id } }

    /// An independent random stream per purpose and index, so adding a group does not change
    /// the cohorts of the steps.
    static func stream(_ seed: UInt64, purpose: UInt64, index: Int) -> SeededRandom {
        var mixer = SeededRandom(seed: seed ^ (purpose &* 0xD1B5_4A32_D192_ED03))
        let base = mixer.next()
        var derive = SeededRandom(seed: base ^ (UInt64(index) &* 0x9E37_79B9_7F4A_7C15))
        return SeededRandom(seed: derive.next())
    }

    static func targets(of action: StepAction, devices: Devices, random: inout SeededRandom) -> [Int] {
        switch action {
        case .rollout(let r):
            return choose(r.cohort, from: eligible(devices, r.selector), random: &random)
        case .firmwareFault(let f):
            // Which devices' downloads the origin will spoil, so a run can account for each one.
            return choose(.share(f.downloads), from: Array(devices.indices), random: &random)
        case .deviceFault(let f):
            return choose(f.devices, from: eligible(devices, f.selector), random: &random)
        case .networkFault(let f):
            return choose(f.devices, from: eligible(devices, f.selector), random: &random)
        case .provision(let p):
            let selected = eligible(devices, p.selector)
            let unprovisioned = selected.filter { !devices[$0].provisioned }
            return choose(p.devices, from: unprovisioned.isEmpty ? selected : unprovisioned, random: &random)
        case .aclProbe(let a):
            return choose(a.devices, from: Array(devices.indices), random: &random)
        case .rampUp(let group, _):
            return devices.indices.filter { group == nil || devices[$0].group == group }
        case .wait, .hold, .brokerRestart, .brokerKill, .clearFaults:
            return []
        case .brokerOutage:
            return Array(devices.indices)  // the whole fleet loses its broker
        }
    }

    static func eligible(_ devices: Devices, _ selector: DeviceSelector) -> [Int] {
        devices.indices.filter { i in
            (selector.groups.isEmpty || selector.groups.contains(devices[i].group))
                && (selector.version == nil || selector.version == devices[i].firmwareVersion)
        }
    }

    /// A seeded partial Fisher–Yates shuffle: `count` distinct picks, returned in ascending order.
    static func choose(_ count: DeviceCount, from pool: [Int], random: inout SeededRandom) -> [Int] {
        let n = count.resolve(eligible: pool.count)
        if n >= pool.count { return pool }
        var pool = pool
        for i in 0..<n {
            let j = i + Int(random.next(upTo: UInt64(pool.count - i - 1)))
            pool.swapAt(i, j)
        }
        return pool[0..<n].sorted()
    }
}
