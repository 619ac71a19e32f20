import CCurl

/// Why an HTTP request got no usable answer, named as the report counts it (`http.<kind>.errors`).
/// A transfer that fails after its status line counts its status too.
public enum HTTPTransportError: Int, CaseIterable, Sendable, Hashable {
    /// Nothing listens (TCP RST on connect, or no route).
    case refused
    /// A name that does not resolve.
    case dns
    /// Connect, total or stall timeout.
    case timeout
    /// The connection broke or closed before the answer was complete.
    case reset
    /// TLS handshake or certificate verification failed.
    case tls
    /// The body is larger than the request kind allows (`HTTPLimits`).
    case tooLarge
    /// More redirects than allowed (a 3xx loop).
    case redirects
    /// The server did not speak HTTP (garbage, HTTP/0.9, a broken encoding).
    case malformed
    /// The URL is not an http:// or https:// URL simfleet can fetch.
    case badURL
    /// The device gave the transfer up before it ended (its own size limit, a reboot, a power cut).
    case aborted
    /// Anything else libcurl reports.
    case other

    public var key: String {
        switch self {
        case .refused: return "refused"
        case .dns: return "dns"
        case .timeout: return "timeout"
        case .reset: return "reset"
        case .tls: return "tls"
        case .tooLarge: return "too_large"
        case .redirects: return "redirects"
        case .malformed: return "malformed"
        case .badURL: return "bad_url"
        case .aborted: return "aborted"
        case .other: return "other"
        }
    }

    /// The kind of a libcurl result; nil for success. `connected` tells an unsupported scheme in the
    /// URL (no connection made) from a server answering HTTP/0.9 garbage (same libcurl code).
    init?(_ code: CURLcode, connected: Bool, overLimit: Bool) {
        switch code {
        case CURLE_OK: return nil
        case CURLE_COULDNT_CONNECT: self = .refused
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: self = .dns
        case CURLE_OPERATION_TIMEDOUT: self = .timeout
        case CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM:
            self = .reset
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
             CURLE_SSL_CACERT_BADFILE, CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR,
             CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT, CURLE_USE_SSL_FAILED:
            self = .tls
        case CURLE_FILESIZE_EXCEEDED: self = .tooLarge
        case CURLE_WRITE_ERROR: self = overLimit ? .tooLarge : .other
        case CURLE_TOO_MANY_REDIRECTS: self = .redirects
        case CURLE_WEIRD_SERVER_REPLY, CURLE_BAD_CONTENT_ENCODING: self = .malformed
        case CURLE_UNSUPPORTED_PROTOCOL: self = connected ? .malformed : .badURL
        case CURLE_URL_MALFORMAT: self = .badURL
        default: self = .other
        }
    }
}
