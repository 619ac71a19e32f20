/// The `state` a device reports on its status topic (and in `GET /info`).
public enum ReportedState: Equatable, Sendable {
    /// Not running: never powered or between a `.reboot` action and the next `.powerOn`.
    case off
    /// Station mode, WiFi or MQTT not up yet.
    case connecting
    case online
    /// An OTA update is downloading or being written.
    case updating
    /// A restart has been promised (`POST /reboot`, `/reset_wifi`, a finished update).
    case rebooting
    /// Unprovisioned: the access point is open for the captive portal.
    case provisioning

    /// The wire name, e.g. `online`.
    public var name: String {
        switch self {
        case .off: return "off"
        case .connecting: return "connecting"
        case .online: return "online"
        case .updating: return "updating"
        case .rebooting: return "rebooting"
        case .provisioning: return "provisioning"
        }
    }
}
