/// What a shard's report says about the shard (`shard` in the report, docs/report-format.md): which
/// slice of which scenario it ran, when its clock started, and what only `simfleet merge` can judge
/// (the scenario's expectations, read on the merged report).
public struct ShardSection: Sendable {
    public var slice: FleetSlice
    /// `ScenarioFingerprint` of the scenario the shard ran.
    public var fingerprint: String
    /// Devices in the whole scenario (every shard's together).
    public var fleetDevices: Int
    /// Wall clock (Unix ms) at the run's second 0: time series and timeline phases align on it.
    public var startUnixMs: Double
    /// The scenario's expectations, as written; `simfleet merge` evaluates them on the whole run.
    public var expectations: [String]
    /// Timeline steps that did not happen as written in this shard (carried into the merged verdict).
    public var timelineFailures: [(expression: String, measured: String)]
    /// How the shards agreed on their start: `sync-dir` or `start-at`.
    public var startedBy: String

    public init(slice: FleetSlice, fingerprint: String, fleetDevices: Int, startUnixMs: Double, expectations: [String],
                timelineFailures: [(expression: String, measured: String)], startedBy: String) {
        self.slice = slice
        self.fingerprint = fingerprint
        self.fleetDevices = fleetDevices
        self.startUnixMs = startUnixMs
        self.expectations = expectations
        self.timelineFailures = timelineFailures
        self.startedBy = startedBy
    }

    var json: ReportJSON {
        .object([
            ("index", .int(slice.index)), ("count", .int(slice.count)), ("fingerprint", .string(fingerprint)),
            ("fleet_devices", .int(fleetDevices)), ("start_unix_ms", .double(startUnixMs)), ("started_by", .string(startedBy)),
            ("expect", .array(expectations.map { .string($0) })),
            ("timeline_failures", .array(timelineFailures.map {
                .object([("expression", .string($0.expression)), ("measured", .string($0.measured))])
            })),
        ])
    }
}
