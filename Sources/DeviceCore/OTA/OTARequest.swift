/// A request to install firmware, from whichever trigger produced it.
public struct OTARequest: Equatable, Sendable {
    /// Where the image is downloaded from.
    public var url: String
    /// Release name the backend uses (`v2025.03.25.155052`, `1.2.0`); nil when unknown.
    public var version: String?
    /// Expected SHA-256 of the whole file as 32 bytes, when the command gave one.
    public var sha256: [UInt8]?
    /// Expected file size in bytes, when the command gave one.
    public var size: Int?
    /// Skip the version comparison (`POST /test_update`). Never skips signature checks.
    public var force: Bool
    public var origin: OTAOrigin

    public init(url: String, version: String?, sha256: [UInt8]? = nil, size: Int? = nil, force: Bool = false,
                origin: OTAOrigin) {
        self.url = url
        self.version = version
        self.sha256 = sha256
        self.size = size
        self.force = force
        self.origin = origin
    }
}

/// What triggered an update.
public enum OTAOrigin: Equatable, Sendable {
    case mqttCommand, manifest, httpUpdate, httpTestUpdate
}

/// A command on `device/{id}/ota`: install a given image or go and check the manifest.
public enum OTACommand: Equatable, Sendable {
    case install(OTARequest)
    case checkManifest
}
