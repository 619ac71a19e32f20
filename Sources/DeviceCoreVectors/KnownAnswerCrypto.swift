import DeviceCore

/// The deterministic crypto of the provisioning vectors on rv32imac, where the chip would use its
/// accelerators and mbedTLS: SHA-256 in software, everything else answered from
/// `provisioningKnownAnswers`, a table of what OpenSSL computed for exactly the inputs the vectors
/// ask about. The host checks both halves (RISCVGoldenTests): the same vectors run with OpenSSL
/// give the same transcript, and OpenSSL still gives every answer in the table. An input the table
/// does not hold answers nil, so a changed vector fails loudly instead of passing on stale answers.
public enum KnownAnswerCrypto: DeviceCrypto {
    public typealias Hasher = SoftwareSHA256

    public static func verifyRSAPSS(modulusBE: [UInt8], exponent: UInt32, digest: [UInt8], signatureBE: [UInt8]) -> Bool { false }
    public static func verifyECDSAP256(x: [UInt8], y: [UInt8], digest: [UInt8], r: [UInt8], s: [UInt8]) -> Bool { false }

    public static func x25519PublicKey(privateKey: [UInt8]) -> [UInt8]? { answer(.x25519PublicKey, [privateKey]) }
    public static func x25519SharedSecret(privateKey: [UInt8], peerPublicKey: [UInt8]) -> [UInt8]? {
        answer(.x25519SharedSecret, [privateKey, peerPublicKey])
    }
    public static func aes256CTR(key: [UInt8], counter: [UInt8], streamOffset: Int, _ input: [UInt8]) -> [UInt8]? {
        answer(.aes256CTR, [key, counter, decimalBytes(streamOffset), input])
    }
    public static func aes256GCMSeal(key: [UInt8], nonce: [UInt8], plaintext: [UInt8]) -> [UInt8]? {
        answer(.aes256GCMSeal, [key, nonce, plaintext])
    }
    public static func aes256GCMOpen(key: [UInt8], nonce: [UInt8], sealed: [UInt8]) -> [UInt8]? {
        answer(.aes256GCMOpen, [key, nonce, sealed])
    }
    public static func sha512(_ message: [UInt8]) -> [UInt8]? { answer(.sha512, [message]) }
    public static func modularExponentiation(base: [UInt8], exponent: [UInt8], modulus: [UInt8]) -> [UInt8]? {
        answer(.modularExponentiation, [base, exponent, modulus])
    }
    public static func modularMultiplication(_ a: [UInt8], _ b: [UInt8], modulus: [UInt8]) -> [UInt8]? {
        answer(.modularMultiplication, [a, b, modulus])
    }
    public static func modularAddition(_ a: [UInt8], _ b: [UInt8], modulus: [UInt8]) -> [UInt8]? {
        answer(.modularAddition, [a, b, modulus])
    }

    static func answer(_ operation: KnownAnswerOperation, _ inputs: [[UInt8]]) -> [UInt8]? {
        let key = knownAnswerKey(operation, inputs)
        for entry in provisioningKnownAnswers where entry.0 == key {
            if entry.1 == "nil" { return nil }
            return bytesFromHex(entry.1)
        }
        return nil
    }

    static func decimalBytes(_ n: Int) -> [UInt8] { Array(decimal(Int64(n)).utf8) }
}

/// The crypto operations the provisioning vectors use, as named in the known-answer table.
public enum KnownAnswerOperation: Sendable {
    case x25519PublicKey, x25519SharedSecret, aes256CTR, aes256GCMSeal, aes256GCMOpen, sha512
    case modularExponentiation, modularMultiplication, modularAddition

    /// The name in table keys.
    public var name: String {
        switch self {
        case .x25519PublicKey: return "x25519-public"
        case .x25519SharedSecret: return "x25519-shared"
        case .aes256CTR: return "aes256-ctr"
        case .aes256GCMSeal: return "aes256-gcm-seal"
        case .aes256GCMOpen: return "aes256-gcm-open"
        case .sha512: return "sha512"
        case .modularExponentiation: return "mod-exp"
        case .modularMultiplication: return "mod-mul"
        case .modularAddition: return "mod-add"
        }
    }
}

/// The table key of one operation on its inputs: the operation's name and the SHA-256 of the
/// inputs, each preceded by its length (4 bytes, little-endian), e.g. `mod-exp:1f3a…`.
public func knownAnswerKey(_ operation: KnownAnswerOperation, _ inputs: [[UInt8]]) -> String {
    var h = SoftwareSHA256()
    for input in inputs {
        let n = UInt32(truncatingIfNeeded: input.count)
        let length: [UInt8] = [UInt8(truncatingIfNeeded: n), UInt8(truncatingIfNeeded: n >> 8),
                               UInt8(truncatingIfNeeded: n >> 16), UInt8(truncatingIfNeeded: n >> 24)]
        h.update(length[...])
        h.update(input[...])
    }
    return operation.name + ":" + hexString(h.finalize())
}
