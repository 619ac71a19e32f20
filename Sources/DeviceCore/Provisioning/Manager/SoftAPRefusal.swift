/// Why the provisioning service refused a request. ESP-IDF's protocomm drops the connection for
/// every one of these; simfleet answers HTTP 500 (or the status httpd itself would send) with the
/// reason as text and the code in `X-Protocomm-Refusal`, then closes, so a client fails the same
/// way but a person (and a report) can tell why.
/// The service's state is unchanged by a refusal unless the case says otherwise.
public enum SoftAPRefusal: Error, Equatable, Sendable {
    /// No endpoint of that name (httpd: 404).
    case unknownEndpoint(String)
    /// An endpoint asked for with another method than POST (httpd: 405).
    case methodNotAllowed(String)
    /// No body (protocomm needs a non-empty one).
    case emptyBody
    /// A body over protocomm's 4096-byte limit.
    case bodyTooLarge(limit: Int)
    /// The endpoint's message did not decode.
    case malformed(endpoint: String, ProtobufError)
    /// `SessionData.sec_ver` is not the level the device was started with.
    case securityVersionMismatch(expected: Int, got: Int)
    /// `SessionData` without the payload of the device's security level.
    case missingSessionPayload
    /// A session message whose type is unknown or does not match its payload.
    case unexpectedSessionMessage(msg: Int)
    /// `SessionCommand1` before a `SessionCommand0` of this session.
    case sessionCommandOutOfOrder
    /// A public key of the wrong length (32 bytes for security 1, 384 for security 2).
    case invalidPublicKey(length: Int)
    /// An SRP public value A that is 0 mod N (RFC 5054 2.5.4).
    case degeneratePublicKey
    /// Security 2 without a username.
    case missingUsername
    /// A client proof of the wrong length.
    case invalidProof(length: Int)
    /// Security 1: the client's verify data does not decrypt to the device's key, which is what a
    /// wrong proof of possession gives. Security 2: the SRP proof does not match (wrong password or
    /// username). The session stays where it was.
    case proofMismatch
    /// A configuration, scan, control or custom request before the session is established.
    case sessionNotEstablished
    /// Security 2: the request's AES-GCM tag does not verify.
    case decryptionFailed
    /// The platform has no implementation of the crypto this security level needs.
    case cryptoUnavailable
    /// A command type the endpoint does not know.
    case unknownCommand(endpoint: String, msg: Int)
    /// A command without the payload its type needs (`SetConfig` without `cmd_set_config`, ...).
    case missingPayload(endpoint: String, msg: Int)

    /// The HTTP status the refusal is answered with.
    public var httpStatus: Int {
        switch self {
        case .unknownEndpoint: return 404
        case .methodNotAllowed: return 405
        default: return 500
        }
    }

    /// A short human-readable reason.
    public var reason: String {
        switch self {
        case .unknownEndpoint(let path): return "no provisioning endpoint " + path
        case .methodNotAllowed(let path): return path + " takes POST"
        case .emptyBody: return "empty request body"
        case .bodyTooLarge(let limit): return "request body larger than " + decimal(Int64(limit)) + " bytes"
        case .malformed(let endpoint, let e): return endpoint + ": " + e.reason
        case .securityVersionMismatch(let expected, let got):
            return "security version " + decimal(Int64(got)) + " requested, the device runs security " + decimal(Int64(expected))
        case .missingSessionPayload: return "session message without the payload of the device's security level"
        case .unexpectedSessionMessage(let msg): return "unexpected session message type " + decimal(Int64(msg))
        case .sessionCommandOutOfOrder: return "session command 1 before command 0"
        case .invalidPublicKey(let length): return "client public key of " + decimal(Int64(length)) + " bytes"
        case .degeneratePublicKey: return "client public key is 0 mod N"
        case .missingUsername: return "no username"
        case .invalidProof(let length): return "client proof of " + decimal(Int64(length)) + " bytes"
        case .proofMismatch: return "client proof does not match (wrong proof of possession or password)"
        case .sessionNotEstablished: return "no secure session established"
        case .decryptionFailed: return "request does not decrypt"
        case .cryptoUnavailable: return "this platform has no crypto for the device's security level"
        case .unknownCommand(let endpoint, let msg): return endpoint + ": unknown command " + decimal(Int64(msg))
        case .missingPayload(let endpoint, let msg):
            return endpoint + ": command " + decimal(Int64(msg)) + " without its payload"
        }
    }

    /// A stable snake_case name, for counters and reports.
    public var code: String {
        switch self {
        case .unknownEndpoint: return "unknown_endpoint"
        case .methodNotAllowed: return "method_not_allowed"
        case .emptyBody: return "empty_body"
        case .bodyTooLarge: return "body_too_large"
        case .malformed: return "malformed"
        case .securityVersionMismatch: return "security_version_mismatch"
        case .missingSessionPayload: return "missing_session_payload"
        case .unexpectedSessionMessage: return "unexpected_session_message"
        case .sessionCommandOutOfOrder: return "session_out_of_order"
        case .invalidPublicKey: return "invalid_public_key"
        case .degeneratePublicKey: return "degenerate_public_key"
        case .missingUsername: return "missing_username"
        case .invalidProof: return "invalid_proof"
        case .proofMismatch: return "proof_mismatch"
        case .sessionNotEstablished: return "session_not_established"
        case .decryptionFailed: return "decryption_failed"
        case .cryptoUnavailable: return "crypto_unavailable"
        case .unknownCommand: return "unknown_command"
        case .missingPayload: return "missing_payload"
        }
    }
}
