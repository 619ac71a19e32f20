/// ESP-IDF's `wifi_provisioning` manager with the SoftAP scheme, as a value: the protocomm
/// endpoints on the access point's web server (`/proto-ver`, `/prov-session`, `/prov-config`,
/// `/prov-scan`, `/prov-ctrl` and custom ones), one secure session at a time, the station join it
/// was asked for, and the end of provisioning. It stores nothing and never reboots by itself:
/// `Output.storage` and `Output.restart` tell `Device` what to do with its NVS and when.
public struct SoftAPProvisioning: Equatable, Sendable {
    /// Where provisioning is (ESP-IDF's `wifi_prov_mgr_state_t` and station state together).
    public enum State: Equatable, Sendable {
        /// Serving, waiting for `ApplyConfig`. `report` is what `GetStatus` says meanwhile: the
        /// outcome of the previous attempt after a reset or re-provisioning, `connecting` at first.
        case awaitingCredentials(report: StationReport)
        /// `ApplyConfig` accepted; the station joins `credentials`' network at `at`.
        case joinScheduled(WiFiCredentials, at: Instant)
        /// The station is joining.
        case joining(WiFiCredentials)
        /// The join failed; `GetStatus` says why until `CtrlReset`.
        case failed(WiFiCredentials, ProvisionedJoinFailure)
        /// Joined. Provisioning stops at `autoStopAt` even if no client asks (nil: auto-stop off).
        case joined(WiFiCredentials, JoinedNetwork, autoStopAt: Instant?)
        /// A client saw the device connected: endpoints keep answering until `at`, then the access
        /// point goes down and the device restarts into station mode.
        case stopping(JoinedNetwork, at: Instant)
        /// Provisioning is over; nothing is served.
        case stopped
    }

    /// What `GetStatus` reports of the station (`WifiStationState` and its detail).
    public enum StationReport: Equatable, Sendable {
        case connecting
        case failed(ProvisionedJoinFailure)
        case connected(JoinedNetwork)
    }

    /// The network the station joined, as `GetStatus` describes it (`WifiConnectedState`).
    public struct JoinedNetwork: Equatable, Sendable {
        public var ip: IPv4Address
        public var ssid: String
        public var bssid: [UInt8]
        public var channel: Int
        public var auth: WiFiAuthMode
    }

    /// What the manager is given.
    public enum Event: Sendable {
        /// An HTTP request to the access point's web server on one of the service's paths.
        case request(id: UInt32, HTTPRequest)
        /// A station link event or a scan result.
        case station(WiFiEvent)
        /// A deadline (`deadline`) has passed.
        case tick
    }

    /// What the device must do with its flash after an event.
    public enum CredentialStorage: Equatable, Sendable {
        /// `ApplyConfig`: the credentials go to NVS before the join, as ESP-IDF writes them.
        case store(WiFiCredentials)
        /// The join worked: the stored credentials are known good.
        case confirm
        /// `CtrlReset` after a failure: the station configuration is erased.
        case erase
    }

    /// The result of one event: actions in order, and what the device must do beyond them.
    public struct Output: Equatable, Sendable {
        public var actions: [Action] = []
        /// Why a request was refused (it was answered with the refusal's status and reason).
        public var refusal: SoftAPRefusal?
        public var storage: CredentialStorage?
        /// Provisioning stopped and the access point went down: restart into station mode.
        public var restart = false
        /// A secure session was established by this request.
        public var sessionEstablished = false
        /// Bytes a custom endpoint received (deciphered), with the endpoint's name.
        public var customData: (endpoint: String, bytes: [UInt8])?

        public static func == (l: Output, r: Output) -> Bool {
            l.actions == r.actions && l.refusal == r.refusal && l.storage == r.storage && l.restart == r.restart
                && l.sessionEstablished == r.sessionEstablished && l.customData?.endpoint == r.customData?.endpoint
                && l.customData?.bytes == r.customData?.bytes
        }
    }

    /// The manager's settings.
    public let config: SoftAPProvisioningConfig
    /// Where provisioning is.
    public internal(set) var state: State
    /// `SetConfig`'s credentials, waiting for `ApplyConfig` (ESP-IDF keeps them apart from the state).
    public internal(set) var pending: WiFiCredentials?
    var transport = HTTPDTransport()
    var session: SecureSession
    var scan = ScanState.idle(results: [])
    /// Security 2's salt and verifier, derived once from a configured password.
    var verifier: SRPVerifier?

    /// A manager that has just started (`WIFI_PROV_START`).
    public init(config: SoftAPProvisioningConfig) {
        self.config = config
        self.state = .awaitingCredentials(report: .connecting)
        self.session = SecureSession(config.security)
    }

    /// Whether `path` is one of the service's endpoints (`/proto-ver`, `/prov-session`, ...).
    public func serves(path: String) -> Bool {
        endpoint(named: path) != nil
    }

    /// The earliest time the manager needs a `.tick`.
    public var deadline: Instant? {
        var next: Instant? = nil
        switch state {
        case .joinScheduled(_, let at): next = at
        case .joined(_, _, let at): next = at
        case .stopping(_, let at): next = at
        default: break
        }
        if case .scanning(_, let until) = scan { next = next.map { min($0, until) } ?? until }
        return next
    }

    var isStopped: Bool {
        if case .stopped = state { return true }
        return false
    }

    /// The phase's name for logs and status lines (`awaiting_credentials`, `joining`, `failed`, ...).
    public var phaseName: String {
        switch state {
        case .awaitingCredentials: return "awaiting_credentials"
        case .joinScheduled: return "join_scheduled"
        case .joining: return "joining"
        case .failed: return "failed"
        case .joined: return "joined"
        case .stopping: return "stopping"
        case .stopped: return "stopped"
        }
    }

    /// Handles one event at `now`; `random` is the device's entropy, `crypto` its platform crypto.
    public mutating func handle<Crypto: DeviceCrypto>(_ event: Event, at now: Instant, random: inout SeededRandom,
                                                      crypto: Crypto.Type) -> Output {
        var out = Output()
        switch event {
        case .request(let id, let request): serve(id: id, request, at: now, random: &random, crypto: crypto, out: &out)
        case .station(let e): station(e, at: now, crypto: crypto, out: &out)
        case .tick: tick(at: now, crypto: crypto, out: &out)
        }
        return out
    }

    // MARK: - Timers and the station

    private mutating func tick<Crypto: DeviceCrypto>(at now: Instant, crypto: Crypto.Type, out: inout Output) {
        switch state {
        case .joinScheduled(let credentials, let at) where at <= now:
            state = .joining(credentials)
            out.actions.append(.log(.info, "provisioning: joining \"" + credentials.ssid + "\""))
            out.actions.append(.wifiConnect(ssid: credentials.ssid, password: credentials.password))
        case .joined(_, let network, let at?) where at <= now:
            out.actions.append(.log(.info, "provisioning: auto-stop timeout; stopping"))
            state = .stopping(network, at: now + config.cleanupDelay)
        case .stopping(_, let at) where at <= now:
            state = .stopped
            out.actions.append(.log(.info, "provisioning stopped"))
            out.actions.append(.stopAccessPoint)
            out.restart = true
        default:
            break
        }
        if case .scanning(let waiting, let until) = scan, until <= now {
            scan = .idle(results: [])
            for id in waiting {
                let reply = WiFiScanPayload(msg: WiFiScanPayload.typeRespScanStart,
                                            status: ProtocommStatus.internalError.rawValue, body: .scanStartResponse)
                sealAndRespond(id: id, reply.encoded(side: DeviceSide.self), newSession: nil, crypto: crypto, out: &out)
            }
        }
    }

    private mutating func station<Crypto: DeviceCrypto>(_ event: WiFiEvent, at now: Instant, crypto: Crypto.Type,
                                                        out: inout Output) {
        if case .scanDone(let networks) = event {
            scanDone(networks, crypto: crypto, out: &out)
            return
        }
        let credentials: WiFiCredentials
        switch state {
        case .joining(let c), .joined(let c, _, _): credentials = c
        default:
            out.actions.append(.log(.debug, "provisioning: station event " + event.name + " ignored (" + phaseName + ")"))
            return
        }
        switch event {
        case .connected(let ip, let rssi):
            let network = joinedNetwork(credentials.ssid, ip: ip, rssi: rssi)
            state = .joined(credentials, network, autoStopAt: config.autoStop ? now + config.autoStopTimeout : nil)
            out.storage = .confirm
            out.actions.append(.log(.info, "provisioning: joined \"" + credentials.ssid + "\", ip " + ip.text))
        case .connectFailed(let reason), .disconnected(let reason):
            switch reason {
            case .authFailed, .noAPFound:
                let failure: ProvisionedJoinFailure = reason == .authFailed ? .authError : .networkNotFound
                state = .failed(credentials, failure)
                out.actions.append(.log(.warning, "provisioning: join failed: " + failure.name))
            default:
                // ESP-IDF retries at once for any other reason.
                state = .joining(credentials)
                out.actions.append(.wifiConnect(ssid: credentials.ssid, password: credentials.password))
            }
        case .scanDone:
            break
        }
    }

    /// What `GetStatus` says about the joined network: the address, and the access point as the
    /// last scan saw it (zeros when it was never scanned).
    private func joinedNetwork(_ ssid: String, ip: IPv4Address, rssi: Int) -> JoinedNetwork {
        if case .idle(let results) = scan {
            for n in results where n.ssid == ssid {
                return JoinedNetwork(ip: ip, ssid: ssid, bssid: n.bssid, channel: n.channel, auth: n.auth)
            }
        }
        return JoinedNetwork(ip: ip, ssid: ssid, bssid: [0, 0, 0, 0, 0, 0], channel: 0, auth: .open)
    }

    /// What `GetStatus` reports now.
    var report: StationReport {
        switch state {
        case .awaitingCredentials(let report): return report
        case .joinScheduled, .joining: return .connecting
        case .failed(_, let reason): return .failed(reason)
        case .joined(_, let network, _), .stopping(let network, _): return .connected(network)
        case .stopped: return .connecting
        }
    }
}

/// The scan the service runs for `/prov-scan`.
enum ScanState: Equatable, Sendable {
    /// No scan running; `results` are the last one's, strongest first, capped.
    case idle(results: [ScannedNetwork])
    /// A `.wifiScan` is out; `waiting` are blocking `ScanStart` requests to answer when it ends.
    case scanning(waiting: [UInt32], until: Instant)
}
