import DeviceCore

/// A validated scenario: the fleet, the backend, what happens when, and what must hold at the end.
/// Built only by `ScenarioLoader`, so every value in it has been checked.
public struct Scenario: Equatable, Sendable {
    public var name: String
    public var description: String?
    /// Seed of every random choice (device ids, cohorts, fault targets, jitter).
    public var seed: UInt64
    /// How long the run lasts after the first device starts.
    public var duration: TimeSpan
    public var backend: Backend
    public var fleet: [FleetGroup]
    /// Images the embedded firmware origin serves.
    public var firmware: [FirmwareImageSpec]
    public var timeline: [TimelineStep]
    public var expectations: [Expectation]
    /// The file it was read from, for messages.
    public var file: String
    /// The WiFi networks around every device (`wifi:`); empty: the default neighbourhood.
    public var wifi: [SimulatedNetwork] = []
    /// The API devices register with and the manifest they poll (`backend: {api, register, manifest}`).
    public var httpBackend = BackendHTTP()
    /// MQTT version, sessions and status message expiry of every device (`mqtt:`).
    public var mqtt = MQTTOptions()
    /// MQTT keepalive of every device (`mqtt: {keepalive}`); nil: `FleetDefaults.keepAlive`.
    public var keepAlive: TimeSpan? = nil
    /// The topic layout (`topics:`).
    public var topics = TopicLayout.default
    /// Provisioned devices serve their local HTTP API on their own addresses (`device_http:`).
    public var deviceHTTP: DeviceHTTPSettings? = nil
    /// Telemetry every group publishes (`--telemetry-every`), besides each group's own.
    public var fleetTelemetry: [TelemetrySpec] = []
    /// Where each value is written in the file, or which flag set it, for every message about it
    /// after loading (`position(of:)`).
    public var sourceMap = SourceMap()

    /// Devices across all groups.
    public var deviceCount: Int { fleet.reduce(0) { $0 + $1.count } }

    public func group(named name: String) -> FleetGroup? { fleet.first { $0.name == name } }
}

/// How many devices a step acts on: a fixed number, a share of the eligible devices, or all.
public enum DeviceCount: Equatable, Sendable {
    case count(Int)
    /// Fraction 0…1 of the eligible devices, rounded up so 10% of 5 is 1, never 0.
    case share(Double)
    case all

    /// The number of devices this selects out of `eligible`.
    public func resolve(eligible: Int) -> Int {
        switch self {
        case .count(let n): return min(n, eligible)
        case .all: return eligible
        case .share(let fraction):
            let exact = fraction * Double(eligible)
            return min(eligible, Int((exact - 1e-9).rounded(.up)))
        }
    }
}

/// Which devices a step may pick from: every device, or those of some groups.
public struct DeviceSelector: Equatable, Sendable {
    /// Group names; empty means every group.
    public var groups: [String]
    /// Only devices running this version when the plan is made (their configured version).
    public var version: String?

    public init(groups: [String] = [], version: String? = nil) {
        self.groups = groups
        self.version = version
    }

    public static let everyone = DeviceSelector()
}
