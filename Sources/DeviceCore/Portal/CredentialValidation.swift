/// The portal's rules for credentials typed into the setup page: SSID 1–32 bytes, password empty
/// (open network) or 8–63 printable ASCII characters (a WPA2 passphrase, IEEE 802.11 Annex J).
extension WiFiCredentials {
    /// Validates `ssid`/`password`; `networks` (the last scan) lets it insist on a password for a
    /// network seen as secured.
    public init(validatingSSID ssid: String, password: String, networks: [ScannedNetwork] = []) throws(ProvisioningError) {
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
        self.init(ssid: ssid, password: password)
    }
}
