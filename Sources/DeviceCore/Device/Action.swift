/// What a device asks its host to do. The host performs actions in order and reports results
/// back as events; DeviceCore itself never touches a socket, a clock or flash.
public enum Action: Sendable, Equatable {
    case wifiConnect(ssid: String, password: String)
    case wifiDisconnect
    case wifiScan
    case startAccessPoint(ssid: String, address: IPv4Address)
    case stopAccessPoint

    case mqttConnect(MQTTConnectOptions)
    case mqttDisconnect
    case mqttSubscribe(topic: String, qos: Int)
    case mqttPublish(MQTTPublish)

    case httpRespond(id: UInt32, HTTPResponse)
    /// Reply datagram for a DNS query; nil drops the query (malformed input).
    case dnsRespond(id: UInt32, [UInt8]?)

    /// Fetch `url`, starting at byte `rangeStart` (an HTTP Range request when > 0).
    case startDownload(url: String, rangeStart: Int)
    case cancelDownload

    /// A NOR flash operation on the absolute flash address space.
    case flash(FlashOperation)
    /// Burn the anti-rollback eFuse counter up to this secure version (it never decreases).
    case burnSecureVersion(UInt32)

    case reboot(ResetReason)
    case log(LogLevel, String)
}

public struct MQTTConnectOptions: Sendable, Equatable {
    public var clientID: String
    public var username: String?
    public var password: String?
    public var keepAliveSeconds: Int
    public var will: MQTTPublish?

    public init(clientID: String, username: String?, password: String?, keepAliveSeconds: Int, will: MQTTPublish?) {
        self.clientID = clientID
        self.username = username
        self.password = password
        self.keepAliveSeconds = keepAliveSeconds
        self.will = will
    }
}

public struct MQTTPublish: Sendable, Equatable {
    public var topic: String
    public var payload: [UInt8]
    public var qos: Int
    public var retain: Bool
    /// The device's own id for this publish (its heartbeat sequence number for status messages),
    /// so the host can report which ones the broker acknowledged.
    public var messageID: Int?
    /// For a telemetry message: its stream's `TelemetryStream.tag` (`messageID` is then the
    /// stream's `seq`); nil for every other publish.
    public var telemetryStream: Int?

    public init(topic: String, payload: [UInt8], qos: Int, retain: Bool, messageID: Int? = nil, telemetryStream: Int? = nil) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
        self.messageID = messageID
        self.telemetryStream = telemetryStream
    }
}

/// NOR flash semantics: erase sets 4 KB sectors to 0xFF; a write can only clear bits.
public enum FlashOperation: Sendable, Equatable {
    case erase(offset: Int, length: Int)
    case write(offset: Int, bytes: [UInt8])
}

public enum LogLevel: Sendable, Equatable {
    case error, warning, info, debug

    public var letter: String {
        switch self {
        case .error: return "E"
        case .warning: return "W"
        case .info: return "I"
        case .debug: return "D"
        }
    }
}
