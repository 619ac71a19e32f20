/// Why the device's last attempt to join the provisioned network failed, handed to the portal by
/// `Device` when it falls back to portal mode, so the page can say what went wrong.
public struct ProvisioningFailure: Equatable, Sendable {
    /// The network the device tried to join.
    public var ssid: String
    /// Why the last attempt failed.
    public var reason: WiFiFailure
    /// Consecutive failed attempts before the device gave up.
    public var attempts: Int

    /// A failure report for the portal page.
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
