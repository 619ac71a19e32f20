/// Which of a device's HTTP requests a transfer is: the report's `http.register`, `http.manifest`
/// and `http.firmware`, and the Prometheus label `kind`.
public enum HTTPKind: Int, CaseIterable, Sendable, Hashable {
    /// `POST {api}/devices/register` (`RegistrationPlan`).
    case register
    /// `GET` of the backend's manifest (`{"action":"check"}`, `POST /update` with it, the poll).
    case manifest
    /// `GET` of a firmware image, and its Range resumptions.
    case firmware

    public var key: String {
        switch self {
        case .register: return "register"
        case .manifest: return "manifest"
        case .firmware: return "firmware"
        }
    }
}
