/// The MQTT a fleet speaks: protocol version and session lifetime (fixed for a run), and the
/// expiry of its status messages. Defaults are MQTT 3.1.1 with a clean session, as esp-mqtt's.
public struct MQTTOptions: Sendable, Equatable {
    public enum Version: String, Sendable, Equatable {
        case v311 = "3.1.1"
        case v5 = "5"
    }

    public var version: Version
    /// false: the broker keeps the session (subscriptions, QoS ≥ 1 messages for the device) while
    /// the device is away, so a command published meanwhile arrives when it reconnects.
    public var cleanSession: Bool
    /// MQTT 5 session expiry interval sent in CONNECT, seconds; nil: 0 with a clean session (the
    /// session ends with the connection) and one hour without.
    public var sessionExpirySeconds: UInt32?
    /// MQTT 5 message expiry interval on status messages (heartbeats and retained state), seconds;
    /// nil: they never expire.
    public var messageExpirySeconds: UInt32?

    public init(version: Version = .v311, cleanSession: Bool = true, sessionExpirySeconds: UInt32? = nil,
                messageExpirySeconds: UInt32? = nil) {
        self.version = version
        self.cleanSession = cleanSession
        self.sessionExpirySeconds = sessionExpirySeconds
        self.messageExpirySeconds = messageExpirySeconds
    }

    /// The session expiry a v5 CONNECT carries.
    public var effectiveSessionExpirySeconds: UInt32 { sessionExpirySeconds ?? (cleanSession ? 0 : 3600) }

    /// `3.1.1`, `3`, `311` or `5`; nil for anything else.
    public static func version(_ text: String) -> Version? {
        switch text {
        case "3.1.1", "3", "311", "v3.1.1": return .v311
        case "5", "5.0", "v5": return .v5
        default: return nil
        }
    }
}
