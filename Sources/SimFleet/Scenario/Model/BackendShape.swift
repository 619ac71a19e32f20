import DeviceCore

/// One `telemetry:` entry of a fleet group: a stream the group's devices publish.
public struct TelemetrySpec: Equatable, Sendable {
    /// The stream's name in the report (default: the topic template).
    public var name: String
    public var topic: TopicTemplate
    public var every: TimeSpan
    public var qos: Int
    public var retain: Bool
    /// The payload template as written, and compiled.
    public var payloadText: String
    public var payload: TelemetryTemplate
    /// Where the entry is written, for messages.
    public var position: SourcePosition

    public init(name: String, topic: TopicTemplate, every: TimeSpan, qos: Int = 0, retain: Bool = false, payloadText: String,
                payload: TelemetryTemplate, position: SourcePosition) {
        self.name = name
        self.topic = topic
        self.every = every
        self.qos = qos
        self.retain = retain
        self.payloadText = payloadText
        self.payload = payload
        self.position = position
    }
}

/// `device_http:` — provisioned devices serve their local HTTP API, each on its own loopback
/// address of `pool` at `port`.
public struct DeviceHTTPSettings: Equatable, Sendable {
    public var port: Int
    /// Second octet of the 127.x.0.0/16 block.
    public var block: UInt8

    public init(port: Int = FleetDefaults.deviceHTTPPort, block: UInt8 = FleetDefaults.addressBlock) {
        self.port = port
        self.block = block
    }
}
