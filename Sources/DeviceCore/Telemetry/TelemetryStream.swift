/// One telemetry stream of the firmware's sensor task: what it publishes, where and how often.
public struct TelemetryStream: Equatable, Sendable {
    /// Topic with `{id}` still in it (resolved once per device, like the status topic).
    public var topic: String
    /// Time between two messages while the broker session is up.
    public var interval: TimeSpan
    /// 0 or 1.
    public var qos: Int
    public var retain: Bool
    public var payload: TelemetryTemplate
    /// An opaque number handed back with each publish (`MQTTPublish.telemetryStream`), so the host
    /// can tell the streams apart in its accounting (SimFleet: the stream's place in the fleet's list).
    public var tag: Int

    public init(topic: String, interval: TimeSpan, qos: Int = 0, retain: Bool = false, payload: TelemetryTemplate, tag: Int = 0) {
        self.topic = topic
        self.interval = interval
        self.qos = qos
        self.retain = retain
        self.payload = payload
        self.tag = tag
    }
}
