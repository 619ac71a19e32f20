/// How a device runs ESP-IDF's `wifi_provisioning` manager with the SoftAP scheme: the security
/// level and its secret, the service name (the access point's SSID), extra endpoints, and the
/// manager's timers. `reference` is what the reference firmware ships.
public struct SoftAPProvisioningConfig: Equatable, Sendable {
    /// Protocomm security and its proof of possession or SRP credentials.
    public var security: ProtocommSecurity
    /// `service_name`: the SoftAP scheme uses it as the access point's SSID.
    public var serviceName: String
    /// Endpoints the application registered (`wifi_prov_mgr_endpoint_create/register`).
    public var customEndpoints: [CustomEndpoint]
    /// Stop provisioning once the client saw the device connected (ESP-IDF's default). False is
    /// `wifi_prov_mgr_disable_auto_stop()`, which re-provisioning (`CtrlReprov`) requires.
    public var autoStop: Bool
    /// Between the decision to stop and the access point going down (`cleanup_delay`, 1000 ms).
    public var cleanupDelay: TimeSpan
    /// After a successful join, stop even if no client asks for the status
    /// (`CONFIG_WIFI_PROV_AUTOSTOP_TIMEOUT`, 30 s).
    public var autoStopTimeout: TimeSpan
    /// Between `ApplyConfig` and the join, so the answer leaves before the radio changes channel (1 s).
    public var joinDelay: TimeSpan
    /// Scan results kept (`CONFIG_WIFI_PROV_SCAN_MAX_ENTRIES`, 16).
    public var maxScanResults: Int
    /// How long a blocking scan request waits for the radio before it is answered with an error.
    public var scanTimeout: TimeSpan

    /// A manager with ESP-IDF v5.1's defaults for the given security and service name.
    public init(security: ProtocommSecurity, serviceName: String, customEndpoints: [CustomEndpoint] = [],
                autoStop: Bool = true, cleanupDelay: TimeSpan = .milliseconds(1000),
                autoStopTimeout: TimeSpan = .seconds(30), joinDelay: TimeSpan = .milliseconds(1000),
                maxScanResults: Int = 16, scanTimeout: TimeSpan = .seconds(10)) {
        self.security = security
        self.serviceName = serviceName
        self.customEndpoints = customEndpoints
        self.autoStop = autoStop
        self.cleanupDelay = cleanupDelay
        self.autoStopTimeout = autoStopTimeout
        self.joinDelay = joinDelay
        self.maxScanResults = maxScanResults
        self.scanTimeout = scanTimeout
    }

    /// The reference firmware: `wifi_prov_mgr_start_provisioning(WIFI_PROV_SECURITY_1, "12345678",
    /// "iot-ctrlr", NULL)` on `wifi_prov_scheme_softap`.
    public static let reference = SoftAPProvisioningConfig(security: .proofOfPossession(Array("12345678".utf8)),
                                                           serviceName: "iot-ctrlr")
}

/// An endpoint the application added to the provisioning service. Its requests are deciphered
/// like the others'; the device logs what arrived and answers `reply` (ESP-IDF's example answers
/// `SUCCESS`).
public struct CustomEndpoint: Equatable, Sendable {
    public var name: String
    public var reply: [UInt8]

    public init(name: String, reply: [UInt8] = Array("SUCCESS".utf8)) {
        self.name = name
        self.reply = reply
    }
}
