import DeviceCore

/// The HTTP side of the backend, with any broker: the API devices register with and the manifest
/// they poll (`backend: {api, register, manifest}`).
public struct BackendHTTP: Equatable, Sendable {
    /// Base URL of the API (`POST {api}{register.path}`), nil: devices do not register.
    public var api: String?
    public var registration = RegistrationOptions()
    /// The manifest devices check; nil keeps the defaults (the embedded origin's `manifest.json`,
    /// checked only when told, the release name reported).
    public var manifest: ManifestOptions?

    public init(api: String? = nil, registration: RegistrationOptions = RegistrationOptions(), manifest: ManifestOptions? = nil) {
        self.api = api
        self.registration = registration
        self.manifest = manifest
    }
}

/// `backend.manifest`: where the devices' manifest is, how often they poll it, and which name a
/// device gives its firmware when it compares (`FirmwareVersionSource`).
public struct ManifestOptions: Equatable, Sendable {
    /// The backend's manifest (reference format `{version, firmware_url, released, notes}`); nil:
    /// the embedded origin's `manifest.json`.
    public var url: String?
    /// Each device polls this often; nil: only on `{"action":"check"}` or `POST /update`.
    public var poll: TimeSpan?
    /// Each wait is `poll` ± up to this, per device (seeded); nil: a tenth of `poll`.
    public var jitter: TimeSpan?
    public var versionSource: FirmwareVersionSource

    public init(url: String? = nil, poll: TimeSpan? = nil, jitter: TimeSpan? = nil, versionSource: FirmwareVersionSource = .release) {
        self.url = url
        self.poll = poll
        self.jitter = jitter
        self.versionSource = versionSource
    }
}
