/// The Secure Boot V2 signature schemes espsecure writes, named as `espsecure --scheme` names them.
/// ESP32-C6 boots RSA-3072 and ECDSA-P256; P-384 exists for other SoCs and is only reported.
public enum SigningScheme: String, CaseIterable, Equatable, Sendable {
    case rsa3072
    case ecdsa256
    case ecdsa384

    /// Block version byte: 2 for RSA-PSS, 3 for ECDSA.
    public var blockVersion: UInt8 { self == .rsa3072 ? 2 : 3 }
    /// The curve, for ECDSA schemes.
    public var curve: ECDSACurve? {
        switch self {
        case .rsa3072: nil
        case .ecdsa256: .p256
        case .ecdsa384: .p384
        }
    }
}
