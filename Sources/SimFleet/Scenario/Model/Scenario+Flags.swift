import DeviceCore

/// The fleet a flags-only run describes (`simfleet run --devices 1000 …`).
public struct FleetFlags: Sendable, Equatable {
    public var devices = FleetDefaults.devices
    /// Steady time after the ramp (the flags' `--duration`).
    public var steady = FleetDefaults.steady
    public var heartbeat = FleetDefaults.heartbeat
    public var qos = FleetDefaults.qos
    public var rampPerSecond = FleetDefaults.rampPerSecond
    public var seed = FleetDefaults.seed
    public var chip = FleetDefaults.chip
    public var firmware = FleetDefaults.firmwareVersion
    public var idTemplate = FleetDefaults.idTemplate
    public var provisioned = FleetDefaults.provisioned

    public init() {}
}

extension FleetFlags {
    /// The scenario paths the fleet flags stand for, so a later message about one names its flag.
    static let paths = [("seed", "--seed"), ("duration", "--duration"), ("fleet[0].count", "--devices"),
                        ("fleet[0].heartbeat", "--heartbeat"), ("fleet[0].qos", "--qos"), ("fleet[0].ramp", "--ramp"),
                        ("fleet[0].chip", "--chip"), ("fleet[0].firmware", "--firmware"), ("fleet[0].id", "--id-template"),
                        ("fleet[0].provisioned", "--unprovisioned")]
}

extension SourcePosition {
    /// The values of a flags-only run that no one flag gives (the fleet group the flags make).
    public static let commandLine = SourcePosition.flag("the command line")
}

extension Scenario {
    /// A flags-only run as the scenario it is: one group `fleet`, no timeline, no expectations,
    /// lasting the ramp plus `steady`. It then takes every flag and output a scenario run takes.
    public static func oneGroup(_ f: FleetFlags, backend: Backend = .embedded(EmbeddedBackend()),
                                httpBackend: BackendHTTP = BackendHTTP()) -> Scenario {
        let position = SourcePosition.commandLine
        let group = FleetGroup(name: FleetDefaults.groupName, count: f.devices, idTemplate: f.idTemplate, chip: f.chip, firmwareVersion: f.firmware,
                               provisioned: f.provisioned, heartbeat: f.heartbeat, qos: f.qos, rampPerSecond: f.rampPerSecond,
                               startAtBeginning: true, position: position)
        let ramp = TimeSpan(microseconds: Int64((Double(f.devices) / f.rampPerSecond * 1e6).rounded(.up)))
        var s = Scenario(name: "flags", description: nil, seed: f.seed, duration: ramp + f.steady, backend: backend, fleet: [group],
                         firmware: [], timeline: [], expectations: [], file: "(flags)")
        s.httpBackend = httpBackend
        s.sourceMap = SourceMap(everything: position)
        for (path, flag) in FleetFlags.paths { s.sourceMap.set(path, to: .flag(flag)) }
        return s
    }
}
