import DeviceCore

/// A group of identical devices in the fleet.
public struct FleetGroup: Equatable, Sendable {
    public var name: String
    public var count: Int
    /// Device id template: `{n}` the 1-based index in the group (`{n:06}` zero-padded),
    /// `{chip}` the chip prefix, `{group}` the group name, `{rand:8}` seeded hex digits.
    public var idTemplate: String
    public var chip: ChipModel
    /// Firmware version the devices boot with.
    public var firmwareVersion: String
    /// Whether devices start with WiFi credentials (false: they come up as access points
    /// and must be provisioned through their portal).
    public var provisioned: Bool
    public var heartbeat: TimeSpan
    public var qos: Int
    /// Connect ramp in devices per second.
    public var rampPerSecond: Double
    /// Start with the run; false waits for a `ramp_up` step naming the group.
    public var startAtBeginning: Bool
    /// Where the group is written, for messages.
    public var position: SourcePosition
    /// Telemetry streams the group's devices publish (`telemetry:`).
    public var telemetry: [TelemetrySpec] = []
    /// How its unprovisioned devices provision (`provisioning:`); nil: the captive portal.
    public var provisioning: ProvisioningSettings? = nil

    /// The device configuration's provisioning part for this group (validated when read).
    public var provisioningConfig: ProvisioningConfig {
        (try? provisioning?.apply(to: ProvisioningConfig())) ?? ProvisioningConfig()
    }

    /// Whether its devices serve ESP-IDF's provisioning service.
    public var runsIDFSoftAP: Bool { provisioningConfig.scheme.servesProtocomm }
}

/// The backend the fleet talks to.
public enum Backend: Equatable, Sendable {
    /// SimFleet starts mosquitto and the firmware origin itself, on loopback.
    case embedded(EmbeddedBackend)
    case external(ExternalBackend)

    public var isEmbedded: Bool {
        if case .embedded = self { return true }
        return false
    }
}

/// Options of the embedded backend.
public struct EmbeddedBackend: Equatable, Sendable {
    /// Per-device ACLs: a device may only use its own topics (`device/{id}/...` by default).
    public var acl: Bool
    /// The devices' accounts on it, templates with `{id}`, `{n}` (a flags-only run's `--username`
    /// and `--password` without `--broker`); nil: the id, and a password derived from a secret of
    /// the run. The ACL is keyed on the user name, so it must be the device's id.
    public var username: String?
    public var password: String?

    public init(acl: Bool = true, username: String? = nil, password: String? = nil) {
        self.acl = acl
        self.username = username
        self.password = password
    }
}

/// A backend someone else runs.
public struct ExternalBackend: Equatable, Sendable {
    /// `mqtt://host:port` or `mqtts://host:port`.
    public var broker: String
    /// Base URL of the HTTP API (`POST {api}/devices/register`), when devices register.
    public var api: String?
    /// Templates with `{id}` (and `{env:NAME}` for secrets kept out of the file).
    public var username: String?
    public var password: String?
    public var tls: TLSFiles?
    /// Credentials of simfleet's observer client (reads every status topic, writes every OTA topic).
    public var observerUsername: String?
    public var observerPassword: String?

    public init(broker: String, api: String? = nil, username: String? = nil, password: String? = nil, tls: TLSFiles? = nil,
                observerUsername: String? = nil, observerPassword: String? = nil) {
        self.broker = broker
        self.api = api
        self.username = username
        self.password = password
        self.tls = tls
        self.observerUsername = observerUsername
        self.observerPassword = observerPassword
    }
}

/// Files for `mqtts://`: CA bundle (nil: the system trust store), optional client certificate and
/// key (templates with `{id}`, `{n}`… give each device its own identity).
public struct TLSFiles: Equatable, Sendable {
    public var ca: String?
    public var cert: String?
    public var key: String?
    public var verifyHostname: Bool

    public init(ca: String?, cert: String? = nil, key: String? = nil, verifyHostname: Bool = true) {
        self.ca = ca
        self.cert = cert
        self.key = key
        self.verifyHostname = verifyHostname
    }
}

/// One firmware image on the embedded origin.
public struct FirmwareImageSpec: Equatable, Sendable {
    public var version: String
    public var source: Source
    /// Whether `manifest.json` names this version at the start of the run.
    public var inManifest: Bool
    /// Generated images: the app descriptor's version when the build carries another name than the
    /// release (`app_version: b94e7f3-dirty`); nil: the release name.
    public var appVersion: String? = nil

    public enum Source: Equatable, Sendable {
        /// An ESP-IDF app image generated for the chip, `size` bytes.
        case generated(chip: ChipModel, size: Int)
        /// A file on disk (path relative to the scenario file).
        case file(String)
    }
}
