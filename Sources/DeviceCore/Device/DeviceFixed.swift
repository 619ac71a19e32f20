/// The parts of a device fixed when it is built: its configuration, its topics and how it connects.
/// Immutable and shared by every copy of the device.
final class DeviceFixed: Sendable {
    let config: DeviceConfig
    /// `config.deviceID`, computed once: every heartbeat carries it.
    let deviceID: String
    let topics: DeviceTopics
    let connectOptions: MQTTConnectOptions
    /// Each telemetry stream's topic with `{id}` resolved (published on every message, so resolved
    /// once); empty without telemetry.
    let telemetryTopics: [String]

    init(config: DeviceConfig, topics: DeviceTopics, connectOptions: MQTTConnectOptions) {
        self.config = config
        self.deviceID = config.deviceID
        self.topics = topics
        self.connectOptions = connectOptions
        let id = deviceID
        self.telemetryTopics = config.telemetry.isEmpty ? [] : config.telemetry.map { resolveTopic($0.topic, id: id) }
    }
}
