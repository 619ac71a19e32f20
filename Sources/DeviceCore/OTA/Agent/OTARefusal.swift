/// Why the OTA agent refused an event or abandoned what it was doing: the typed refusal of its
/// `Output`. Requests answer over HTTP with `httpStatus` and `reason`.
enum OTARefusal: Error, Equatable, Sendable {
    /// Access point mode: there is no network to download from (409).
    case noNetwork
    /// A manifest check owns the download channel (409).
    case checkingManifest
    /// An update runs (its updater state named, 409).
    case updateInProgress(state: String)
    /// The running image is PENDING_VERIFY: nothing is installed over it until it is confirmed (409).
    case notConfirmed
    /// The updater refused the request or abandoned the transfer; reported once on the status topic (400).
    case update(OTAError)
    /// A check was asked for but the device has no manifest URL (400).
    case noManifestURL
    /// The manifest check ended without an update (`kind`: `http_status`, `too_large`,
    /// `download_failed`, `stalled`, `deadline`, `missing_field` or the parser's kind).
    case manifestFailed(kind: String, reason: String)
    /// The manifest offers the release this device rolled back from: not installed again.
    case rolledBackRelease(String)
    /// A download event arrived while nothing was downloading: an illegal event, ignored.
    case nothingDownloading

    /// The HTTP status a local request is answered with: 409 for "not now", 400 for "not this".
    var httpStatus: Int {
        switch self {
        case .noNetwork, .checkingManifest, .updateInProgress, .notConfirmed: return 409
        default: return 400
        }
    }

    /// Short reason for logs and HTTP answers.
    var reason: String {
        switch self {
        case .noNetwork: return "no network to download from (access point mode)"
        case .checkingManifest: return OTAError.busy(state: "checking manifest").reason
        case .updateInProgress(let state): return OTAError.busy(state: state).reason
        case .notConfirmed: return OTAError.runningImageNotConfirmed.reason
        case .update(let error): return error.reason
        case .noManifestURL: return "no manifest URL configured"
        case .manifestFailed(_, let reason): return reason
        case .rolledBackRelease(let release): return "offers " + release + ", which this device rolled back from"
        case .nothingDownloading: return "nothing is downloading"
        }
    }
}

/// What the device must do for the OTA agent beyond performing its actions.
enum OTANotice: Equatable, Sendable {
    /// Promise a restart (so the `rebooting` status leaves first). `installed`: otadata now boots
    /// that slot, installed as that release (nil for a restart that rolls back). The device's own
    /// actions for the restart go before the agent's action at index `position`.
    case restart(installed: InstalledImage?, position: Int)
}

/// An image committed to a slot, under the release name it was installed as.
struct InstalledImage: Equatable, Sendable {
    var slot: Int
    var release: String?
}
