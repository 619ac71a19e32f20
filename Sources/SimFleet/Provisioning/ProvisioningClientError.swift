import DeviceCore

/// Why a provisioning client's exchange with a device failed, named as the report counts it.
public enum ProvisioningClientError: Error, Equatable, CustomStringConvertible {
    /// No HTTP answer (connection refused, reset, timeout): what libcurl said.
    case transport(String)
    /// The device answered with another status than 200 (protocomm refusals are 500); a simulated
    /// device names its refusal (`X-Protocomm-Refusal`, e.g. `proof_mismatch`).
    case http(status: Int, body: String, refusal: String?)
    /// The device's answer did not decode.
    case malformed(ProtobufError)
    /// The device's session answer is not what the protocol expects (wrong level, wrong type, status).
    case protocolViolation(String)
    /// The device did not prove it holds the same key (security 1) or password (security 2).
    case deviceNotAuthenticated
    /// The host crypto failed on input it should take.
    case crypto(String)

    /// A stable snake_case name for reports (`failures_by_reason`).
    public var code: String {
        switch self {
        case .transport: return "transport"
        case .http(let status, _, let refusal): return refusal ?? "http_" + String(status)
        case .malformed: return "malformed_response"
        case .protocolViolation: return "protocol"
        case .deviceNotAuthenticated: return "device_not_authenticated"
        case .crypto: return "crypto"
        }
    }

    public var description: String {
        switch self {
        case .transport(let what): return "no answer: " + what
        case .http(let status, let body, _):
            return "HTTP " + String(status) + (body.isEmpty ? "" : ": " + body.trimmingCharacters(in: .whitespacesAndNewlines))
        case .malformed(let e): return "malformed answer: " + e.reason
        case .protocolViolation(let what): return what
        case .deviceNotAuthenticated: return "the device failed to prove the shared secret"
        case .crypto(let what): return "crypto: " + what
        }
    }
}
