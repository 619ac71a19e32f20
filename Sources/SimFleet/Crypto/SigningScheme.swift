import DeviceCore

/// Host-side facts about DeviceCore's `SignatureScheme`: the CLI name, the block version byte,
/// and the curve. ESP32-C6 boots RSA-3072 and ECDSA-P256; P-384 exists for other SoCs.
extension SignatureScheme {
    /// Parses the name `espsecure --scheme` and `simfleet sign --scheme` use (`rsa3072`, `ecdsa256`, `ecdsa384`).
    public init?(name: String) {
        switch name {
        case "rsa3072": self = .rsa3072
        case "ecdsa256": self = .ecdsaP256
        case "ecdsa384": self = .ecdsaP384
        default: return nil
        }
    }

    /// Block version byte: 2 for RSA-PSS, 3 for ECDSA.
    public var blockVersion: UInt8 { self == .rsa3072 ? 2 : 3 }

    /// The curve, for ECDSA schemes.
    public var curve: ECDSACurve? {
        switch self {
        case .rsa3072: nil
        case .ecdsaP256: .p256
        case .ecdsaP384: .p384
        }
    }
}
