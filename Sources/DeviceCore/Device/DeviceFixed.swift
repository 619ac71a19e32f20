/// The parts of a device fixed when it is built: its configuration and its id (topics and how it
/// connects are built from them when used). Immutable and shared by every copy of the device.
final class DeviceFixed: Sendable {
    // Only what differs between the devices of a fleet is stored here (120 bytes with the
    // object's header): `config` keeps its fleet-wide part in one shared cell, and the status
    // topic is resolved at each publish (once per heartbeat) instead of held by every device.
    /// `config.deviceID`, computed once: every heartbeat carries it. A generated id such as
    /// `esp32c6-a1b2c3` is a small string, held in line.
    let deviceID: String
    let config: DeviceConfig

    init(config: DeviceConfig) {
        self.deviceID = config.deviceID
        self.config = config
    }

    /// `topics.status`, resolved for each status publish.
    var statusTopic: String { resolveTopic(config.topics.status, id: deviceID) }

    /// Status, OTA and logs topics, resolved when asked.
    var topics: DeviceTopics { DeviceTopics(config.topics, id: deviceID) }
}

extension DeviceFixed {
    /// The CONNECT's options, built from the configuration and identity for each attempt.
    var connectOptions: MQTTConnectOptions {
        MQTTConnectOptions(
            clientID: config.mqttClientID ?? deviceID, username: config.mqttUsername, password: config.mqttPassword,
            keepAliveSeconds: config.keepAliveSeconds, will: offlineWill(topic: statusTopic))
    }
}
