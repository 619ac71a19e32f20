/// The protocomm security level a device provisions with, and what it needs to authenticate a
/// client (`wifi_prov_mgr_start_provisioning`'s `security` and `wifi_prov_sec_params`).
public enum ProtocommSecurity: Equatable, Sendable {
    /// Security 0: plaintext, no session handshake worth the name.
    case none
    /// Security 1: X25519 key exchange and AES-256-CTR; the shared key is mixed with SHA-256 of
    /// the proof of possession when one is set (nil or empty: `no_pop`).
    case proofOfPossession([UInt8]?)
    /// Security 2: SRP6a (3072-bit group, SHA-512) and AES-256-GCM.
    case srp6a(SRPCredentials)

    /// The `SecSchemeVersion` number.
    public var version: Int {
        switch self {
        case .none: return 0
        case .proofOfPossession: return 1
        case .srp6a: return 2
        }
    }
}

/// What a security 2 device knows of its one user: the password (the device derives salt and
/// verifier when provisioning starts, as `esp_srp_gen_salt_verifier` does), or salt and verifier
/// made beforehand (`esp_prov --sec2_gen_cred`), which is what a production firmware carries.
public enum SRPCredentials: Equatable, Sendable {
    case password(username: String, password: String)
    case verifier(salt: [UInt8], verifier: [UInt8])
}
