/// Why the device's last attempt to join the provisioned network failed, handed to the portal by
/// `Device` when it falls back to portal mode, so the page can say what went wrong.
public struct ProvisioningFailure: Equatable, Sendable {
    public var ssid: String
    public var reason: WiFiFailure
    public var attempts: Int

    public init(ssid: String, reason: WiFiFailure, attempts: Int) {
        self.ssid = ssid
        self.reason = reason
        self.attempts = attempts
    }

    /// Plain-text explanation, e.g. `Could not join "home" after 3 attempts: wrong password`.
    public var text: String {
        "Could not join \"" + ssid + "\" after " + decimal(Int64(attempts))
            + (attempts == 1 ? " attempt: " : " attempts: ") + reasonText
    }

    /// The cause alone, in the words a user understands.
    public var reasonText: String {
        switch reason {
        case .authFailed: return "wrong password"
        case .noAPFound: return "network not found"
        case .beaconTimeout: return "the network stopped answering"
        case .connectionLost: return "connection lost"
        }
    }
}
