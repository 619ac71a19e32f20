/// The parts of a device fixed when it is built: its configuration and its topics (how it connects is built from them at boot).
/// Immutable and shared by every copy of the device.
final class DeviceFixed: Sendable {
    // What every status publish reads comes first, in the object's first cache lines; `config`
    // (over 600 bytes) follows. In a fleet of ten thousand devices these lines are cold at each
    // heartbeat: the copies below save reading three or four more of them.
    /// `config.deviceID`, computed once: every heartbeat carries it.
    let deviceID: String
    /// `config.heartbeatInterval`.
    let heartbeatInterval: TimeSpan
    /// `config.heartbeatQoS`.
    let heartbeatQoS: Int
    /// `config.randomSeed`.
    let randomSeed: UInt64
    /// `config.freeHeap`.
    let freeHeap: FreeHeapModel
    /// `config.streamLogsToMQTT`.
    let streamLogsToMQTT: Bool
    let topics: DeviceTopics
    let config: DeviceConfig
    /// Each telemetry stream's topic with `{id}` resolved (published on every message, so resolved
    /// once); empty without telemetry.
    let telemetryTopics: [String]

    init(config: DeviceConfig, topics: DeviceTopics) {
        self.deviceID = config.deviceID
        self.heartbeatInterval = config.heartbeatInterval
        self.heartbeatQoS = config.heartbeatQoS
        self.randomSeed = config.randomSeed
        self.freeHeap = config.freeHeap
        self.streamLogsToMQTT = config.streamLogsToMQTT
        self.topics = topics
        self.config = config
        let id = deviceID
        self.telemetryTopics = config.telemetry.isEmpty ? [] : config.telemetry.map { resolveTopic($0.topic, id: id) }
    }
}

extension DeviceFixed {
    /// The CONNECT's options, built from the configuration and identity for each attempt.
    var connectOptions: MQTTConnectOptions {
        MQTTConnectOptions(
            clientID: config.mqttClientID ?? deviceID, username: config.mqttUsername, password: config.mqttPassword,
            keepAliveSeconds: config.keepAliveSeconds, will: offlineWill(topic: topics.status))
    }
}
