/// The manifest poll (`{"version","firmware_url","released","notes"}`): turns a parsed manifest
/// into an install request when it offers something newer than what runs.
public enum ManifestCheck {
    public static func request(version: String, firmwareURL: String, running: String) -> Result<OTARequest, ManifestRefusal> {
        if firmwareURL.isEmpty { return .failure(.noFirmwareURL) }
        switch UpdateDecision.decide(offered: version, running: running, force: false) {
        case .install: return .success(OTARequest(url: firmwareURL, version: version, origin: .manifest))
        case .notNewer: return .failure(.upToDate(running: running, offered: version))
        case .unknownVersion: return .failure(.upToDate(running: running, offered: version))
        }
    }
}

/// Why a manifest check did not start an update.
public enum ManifestRefusal: Error, Equatable, Sendable {
    case upToDate(running: String, offered: String)
    case noFirmwareURL
}
