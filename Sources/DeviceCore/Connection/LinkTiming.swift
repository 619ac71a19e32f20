/// How a device retries its links: the backoff WiFi and MQTT share and how long MQTT waits for a
/// CONNACK. The owner builds it from its configuration for each call into `WiFiStation` and
/// `MQTTSession` rather than each session storing a copy: in a fleet of ten thousand devices those
/// copies were 56 bytes a device, all equal.
struct LinkTiming: Equatable, Sendable {
    let backoff: Backoff
    /// How long to wait for CONNACK (esp-mqtt's network timeout is 10 s); never below the
    /// backoff's floor.
    let connectTimeout: TimeSpan

    init(backoff: Backoff, connectTimeout: TimeSpan) {
        self.backoff = backoff
        self.connectTimeout = max(connectTimeout, backoff.floor)
    }
}

extension DeviceConfig {
    /// The links' retry timing from `backoff` and `mqttConnectTimeout`.
    var linkTiming: LinkTiming { LinkTiming(backoff: backoff, connectTimeout: mqttConnectTimeout) }
}
