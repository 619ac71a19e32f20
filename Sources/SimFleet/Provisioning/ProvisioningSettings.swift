import DeviceCore

/// The provisioning settings a user writes (YAML `provisioning:` or `simfleet device` flags), checked
/// and turned into the device's `ProvisioningScheme` and `SoftAPProvisioningConfig`. One place for
/// the rules and the defaults, so the scenario schema and the command line cannot disagree.
public struct ProvisioningSettings: Equatable, Sendable {
    /// `preset: reference`: the reference firmware's `wifi_prov_mgr_start_provisioning(
    /// WIFI_PROV_SECURITY_1, "12345678", "iot-ctrlr", NULL)` on the SoftAP scheme.
    public static let presets = ["reference"]

    public var preset: String?
    public var scheme: String?
    public var security: Int?
    public var pop: String?
    public var username: String?
    public var password: String?
    /// Hex salt and verifier made beforehand (`esp_prov --sec2_gen_cred`).
    public var salt: String?
    public var verifier: String?
    public var serviceName: String?
    public var autoStop: Bool?
    /// Names of endpoints the application adds (`wifi_prov_mgr_endpoint_create`), each answering
    /// `SUCCESS` to what it is sent, like ESP-IDF's example's `custom-data`.
    public var customEndpoints: [String]?

    public init(preset: String? = nil, scheme: String? = nil, security: Int? = nil, pop: String? = nil, username: String? = nil,
                password: String? = nil, salt: String? = nil, verifier: String? = nil, serviceName: String? = nil,
                autoStop: Bool? = nil, customEndpoints: [String]? = nil) {
        self.preset = preset
        self.scheme = scheme
        self.security = security
        self.pop = pop
        self.username = username
        self.password = password
        self.salt = salt
        self.verifier = verifier
        self.serviceName = serviceName
        self.autoStop = autoStop
        self.customEndpoints = customEndpoints
    }

    /// What is wrong, naming the key (`security`, `pop`, ...) so a schema can point at it.
    public struct Problem: Error, Equatable, CustomStringConvertible {
        public var key: String
        public var message: String
        public var description: String { key + ": " + message }
    }

    /// Applies the settings to `base` (a preset first, then each value given). Defaults: the
    /// captive portal alone; with `idf_softap` and nothing else, the reference firmware's values.
    public func apply(to base: ProvisioningConfig) throws(Problem) -> ProvisioningConfig {
        var config = base
        if let preset {
            guard preset == "reference" else {
                throw Problem(key: "preset", message: "unknown preset '" + preset + "' (known: reference)")
            }
            config.scheme = .idfSoftAP
            config.softAP = .reference
        }
        if let scheme {
            guard let s = ProvisioningScheme(name: scheme) else {
                throw Problem(key: "scheme", message: "must be captive_portal, idf_softap or both, not '" + scheme + "'")
            }
            config.scheme = s
        }
        var soft = config.softAP
        if let serviceName {
            guard (1...32).contains(serviceName.utf8.count) else {
                throw Problem(key: "service_name", message: "is the access point's SSID: 1 to 32 bytes")
            }
            soft.serviceName = serviceName
        }
        if let autoStop { soft.autoStop = autoStop }
        if let customEndpoints {
            var endpoints: [CustomEndpoint] = []
            for name in customEndpoints {
                let allowed = name.utf8.allSatisfy { c in
                    (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
                        || c == UInt8(ascii: "-") || c == UInt8(ascii: "_")
                }
                guard !name.isEmpty, name.utf8.count <= 32, allowed else {
                    throw Problem(key: "custom_endpoints", message: "names are 1 to 32 of a-z 0-9 - _, not '" + name + "'")
                }
                guard !["proto-ver", "prov-session", "prov-config", "prov-scan", "prov-ctrl"].contains(name),
                      !endpoints.contains(where: { $0.name == name }) else {
                    throw Problem(key: "custom_endpoints", message: "'" + name + "' is already an endpoint")
                }
                endpoints.append(CustomEndpoint(name: name))
            }
            soft.customEndpoints = endpoints
        }
        let level = security ?? soft.security.version
        switch level {
        case 0:
            for (key, value) in [("pop", pop), ("username", username), ("password", password), ("salt", salt), ("verifier", verifier)]
            where value != nil {
                throw Problem(key: key, message: "does not apply to security 0")
            }
            soft.security = .none
        case 1:
            for (key, value) in [("username", username), ("password", password), ("salt", salt), ("verifier", verifier)]
            where value != nil {
                throw Problem(key: key, message: "applies to security 2 only; security 1 takes a pop")
            }
            if let pop {
                soft.security = .proofOfPossession(pop.isEmpty ? nil : Array(pop.utf8))
            } else if case .proofOfPossession = soft.security {
                // keep the preset's or default proof of possession
            } else {
                soft.security = .proofOfPossession(nil)
            }
        case 2:
            if pop != nil { throw Problem(key: "pop", message: "applies to security 1 only; security 2 takes a username and password") }
            if salt != nil || verifier != nil {
                guard let s = salt.flatMap({ bytesFromHex($0) }), !s.isEmpty else {
                    throw Problem(key: "salt", message: "must be hex bytes, given together with verifier")
                }
                guard let v = verifier.flatMap({ bytesFromHex($0) }), !v.isEmpty, v.count <= 384 else {
                    throw Problem(key: "verifier", message: "must be hex bytes (at most 384), given together with salt")
                }
                guard password == nil else { throw Problem(key: "password", message: "give a password or a salt and verifier, not both") }
                soft.security = .srp6a(.verifier(salt: s, verifier: v))
            } else {
                guard let username, !username.isEmpty else {
                    throw Problem(key: "username", message: "security 2 needs a username and password (or salt and verifier)")
                }
                guard let password, !password.isEmpty else {
                    throw Problem(key: "password", message: "security 2 needs a username and password (or salt and verifier)")
                }
                soft.security = .srp6a(.password(username: username, password: password))
            }
        default:
            throw Problem(key: "security", message: "must be 0, 1 or 2")
        }
        config.softAP = soft
        return config
    }
}
