import DeviceCore

/// A fleet of several groups (scenario fleet groups): each device's id comes from the plan and its
/// shape from its group, overriding `FleetConfiguration`'s single shape. Devices are numbered
/// group after group, as in the scenario plan.
public struct FleetShapes: Sendable, Equatable {
    /// One group's shape over a contiguous range of fleet indices.
    public struct Group: Sendable, Equatable {
        public var name: String
        public var range: Range<Int>
        public var firmwareVersion: String
        public var heartbeatMs: Int64
        public var qos: Int
        public var provisioned: Bool
        public var rampPerSecond: Double
        /// false: the group stays powered off until `FleetRunner.rampUp` (a `ramp_up` step).
        public var startsWithRun: Bool

        public init(name: String, range: Range<Int>, firmwareVersion: String, heartbeatMs: Int64, qos: Int,
                    provisioned: Bool, rampPerSecond: Double, startsWithRun: Bool) {
            self.name = name
            self.range = range
            self.firmwareVersion = firmwareVersion
            self.heartbeatMs = heartbeatMs
            self.qos = qos
            self.provisioned = provisioned
            self.rampPerSecond = rampPerSecond
            self.startsWithRun = startsWithRun
        }
    }

    /// Device ids by fleet index (the plan's, so `{group}` and `{rand:N}` name devices alike).
    public var ids: [String]
    public var groups: [Group]

    public init(ids: [String], groups: [Group]) {
        self.ids = ids
        self.groups = groups
    }

    func group(of index: Int) -> Group? { groups.first { $0.range.contains(index) } }

    /// Seconds after the ramp's start at which device `index` powers on; nil: it waits for a ramp-up.
    /// Groups ramp side by side, each at its own rate.
    func powerOnOffset(_ index: Int) -> Double? {
        guard let g = group(of: index), g.startsWithRun else { return nil }
        return Double(index - g.range.lowerBound) / g.rampPerSecond
    }

    /// How long the groups that start with the run take to power on.
    var rampSeconds: Double {
        groups.filter(\.startsWithRun).map { Double($0.range.count) / $0.rampPerSecond }.max() ?? 0
    }

    func apply(to spec: inout DeviceSpec) {
        if spec.index < ids.count { spec.id = ids[spec.index] }
        guard let g = group(of: spec.index) else { return }
        spec.group = g.name
        spec.firmwareVersion = g.firmwareVersion
        spec.heartbeatMs = g.heartbeatMs
        spec.qos = g.qos
        spec.provisioned = g.provisioned
    }
}
