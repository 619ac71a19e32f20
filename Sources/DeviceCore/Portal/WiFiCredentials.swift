/// Station credentials that passed the portal's validation: SSID 1–32 bytes, password empty
/// (open network) or 8–63 printable ASCII characters (a WPA2 passphrase).
public struct WiFiCredentials: Equatable, Sendable {
    public let ssid: String
    public let password: String

    /// Validates `ssid`/`password`; `networks` (the last scan) lets it insist on a password for a
    /// network seen as secured.
    public init(ssid: String, password: String, networks: [ScannedNetwork] = []) throws(ProvisioningError) {
        let ssidBytes = ssid.utf8.count
        guard ssidBytes > 0 else { throw .missingSSID }
        guard ssidBytes <= 32 else { throw .ssidTooLong(bytes: ssidBytes) }
        let length = password.utf8.count
        for c in password.utf8 where c < 0x20 || c > 0x7E { throw .passwordNotPrintableASCII }
        if length == 0 {
            for n in networks where n.ssid == ssid && n.auth != .open { throw .passwordRequired(ssid: ssid) }
        } else if length < 8 {
            throw .passwordTooShort(characters: length)
        } else if length > 63 {
            throw .passwordTooLong(characters: length)
        }
        self.ssid = ssid
        self.password = password
    }

    /// True for an open network (no password).
    public var isOpen: Bool { password.isEmpty }
}

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
