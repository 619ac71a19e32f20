import DeviceCore

/// The fleet a flags-only run describes (`simfleet run --devices 1000 …`).
public struct FleetFlags: Sendable, Equatable {
    public var devices = 100
    /// Steady time after the ramp (the flags' `--duration`).
    public var steady = TimeSpan.seconds(60)
    public var heartbeat = TimeSpan.seconds(10)
    public var qos = 1
    public var rampPerSecond = 1000.0
    public var seed: UInt64 = 1
    public var chip = ChipModel.esp32c6
    public var firmware = "1.0.0"
    public var idTemplate = "{chip}-{n:06}"
    public var provisioned = true

    public init() {}
}

extension Scenario {
    /// A flags-only run as the scenario it is: one group `fleet`, no timeline, no expectations,
    /// lasting the ramp plus `steady`. It then takes every flag and output a scenario run takes.
    public static func oneGroup(_ f: FleetFlags, backend: Backend = .embedded(EmbeddedBackend()),
                                httpBackend: BackendHTTP = BackendHTTP()) -> Scenario {
        let position = SourcePosition(file: "(flags)", line: 1, column: 1)
        let group = FleetGroup(name: "fleet", count: f.devices, idTemplate: f.idTemplate, chip: f.chip, firmwareVersion: f.firmware,
                               provisioned: f.provisioned, heartbeat: f.heartbeat, qos: f.qos, rampPerSecond: f.rampPerSecond,
                               startAtBeginning: true, position: position)
        let ramp = TimeSpan(microseconds: Int64((Double(f.devices) / f.rampPerSecond * 1e6).rounded(.up)))
        var s = Scenario(name: "flags", description: nil, seed: f.seed, duration: ramp + f.steady, backend: backend, fleet: [group],
                         firmware: [], timeline: [], expectations: [], file: "(flags)")
        s.httpBackend = httpBackend
        return s
    }
}
