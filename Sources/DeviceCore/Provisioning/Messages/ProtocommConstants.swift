/// `Status` of constants.proto: what every protocomm response reports.
public enum ProtocommStatus: Int, Equatable, Sendable {
    case success = 0, invalidSecScheme = 1, invalidProto = 2, tooManySessions = 3, invalidArgument = 4
    case internalError = 5, cryptoError = 6, invalidSession = 7
}

/// `WifiStationState` of wifi_constants.proto: what `GetStatus` says of the station join.
public enum ProvisionedStationState: Int, Equatable, Sendable {
    case connected = 0, connecting = 1, disconnected = 2, connectionFailed = 3
}

/// `WifiConnectFailedReason` of wifi_constants.proto.
public enum ProvisionedJoinFailure: Int, Equatable, Sendable {
    case authError = 0, networkNotFound = 1

    /// The reason's name in wifi_constants.proto (`AuthError`, `NetworkNotFound`).
    public var name: String { self == .authError ? "AuthError" : "NetworkNotFound" }
}

extension WiFiAuthMode {
    /// `WifiAuthMode` of wifi_constants.proto (the same numbering as ESP-IDF's `wifi_auth_mode_t`).
    public var protocommValue: Int {
        switch self {
        case .open: return 0
        case .wep: return 1
        case .wpaPSK: return 2
        case .wpa2PSK: return 3
        case .wpaWpa2PSK: return 4
        case .wpa2Enterprise: return 5
        case .wpa3PSK: return 6
        }
    }
}
