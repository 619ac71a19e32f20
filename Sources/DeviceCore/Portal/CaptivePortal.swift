/// The captive portal's web side as a value: routes a request in the current state and says what
/// the device must do. It never stores anything itself: a successful save comes back as
/// `PortalReply.saved` for `Device` to write to its key-value store before rebooting.
public struct CaptivePortal: Equatable, Sendable {
    /// What the portal is doing. Each case carries only what is valid in it.
    public enum State: Equatable, Sendable {
        /// Showing the setup page; `lastFailure` is why the previous provisioning attempt failed.
        case serving(lastFailure: ProvisioningFailure?)
        /// Credentials for `ssid` were accepted; the device reboots at `rebootAt`.
        case savedAwaitingReboot(ssid: String, rebootAt: Instant)
        /// Provisioning is over (reboot due or AP stopped): every request gets 410 Gone.
        case closed
    }

    /// Where the portal is in provisioning.
    public internal(set) var state: State
    /// Address, branding and limits, fixed for the portal's life.
    public let config: PortalConfig
    /// The networks of the latest scan, as shown on the page and at `/scan`.
    public var networks: [ScannedNetwork]

    /// A serving portal; `lastFailure` is shown when the device came back after failed joins.
    public init(config: PortalConfig, networks: [ScannedNetwork] = [], lastFailure: ProvisioningFailure? = nil) {
        self.config = config
        self.networks = networks
        self.state = .serving(lastFailure: lastFailure)
    }

    /// When the device must reboot after a save; nil otherwise.
    public var nextDeadline: Instant? {
        if case .savedAwaitingReboot(_, let at) = state { return at }
        return nil
    }

    /// Called on every tick: true (and the portal closes) once the reboot delay has passed.
    public mutating func rebootIsDue(at now: Instant) -> Bool {
        guard case .savedAwaitingReboot(_, let at) = state, now >= at else { return false }
        state = .closed
        return true
    }

    /// Stops serving (the AP went down); later requests get 410.
    public mutating func close() { state = .closed }

    /// Answers one HTTP request at time `now`.
    public mutating func handle(_ request: HTTPRequest, at now: Instant) -> PortalReply {
        switch state {
        case .closed:
            return PortalReply(.text(410, "WiFi setup is finished; this portal is closed.\n"))
        case .savedAwaitingReboot(let ssid, let rebootAt):
            if !config.isOwnHost(request.host) || ProbeURLs.isProbe(request.path) {
                return PortalReply(.redirect(config.portalURL))
            }
            if request.method == .post && request.path == "/save" {
                return PortalReply(.error(409, "credentials already saved; the device is restarting"))
            }
            let seconds = max(Int64(0), (rebootAt - now).milliseconds + 999) / 1000
            return PortalReply(.html(200, PortalPage.saved(ssid: ssid, rebootSeconds: seconds)))
        case .serving(let lastFailure):
            return serve(request, lastFailure: lastFailure, at: now)
        }
    }

    private mutating func serve(_ request: HTTPRequest, lastFailure: ProvisioningFailure?, at now: Instant) -> PortalReply {
        guard request.bodyLength <= config.maxBodyBytes else {
            return refuse(.bodyTooLarge(limit: config.maxBodyBytes), json: false, ssid: "")
        }
        guard config.isOwnHost(request.host), !ProbeURLs.isProbe(request.path) else {
            return PortalReply(.redirect(config.portalURL))
        }
        switch (request.method, request.path) {
        case (.get, "/"), (.head, "/"), (.get, "/index.html"):
            if let page = config.files["index.html"] {
                return PortalReply(HTTPResponse(status: 200, headers: [HTTPHeader("Content-Type", "text/html; charset=utf-8")], body: page))
            }
            return PortalReply(.html(200, PortalPage.setup(deviceID: config.deviceID, networks: networks,
                                                           notice: lastFailure?.text, ssid: lastFailure?.ssid ?? "")))
        case (.get, "/scan"):
            return PortalReply(HTTPResponse(status: 200, headers: [HTTPHeader("Content-Type", "application/json"),
                                                                   HTTPHeader("Cache-Control", "no-store")],
                                            body: htmlSafeJSONBytes(scanDocument(lastFailure))))
        case (.post, "/save"):
            return save(request, at: now)
        default:
            let name = String(decoding: request.path.utf8.dropFirst(), as: UTF8.self)
            if request.method == .get, let file = config.files[name] {
                return PortalReply(HTTPResponse(status: 200, headers: [HTTPHeader("Content-Type", PortalFiles.contentType(of: name))], body: file))
            }
            return PortalReply(.redirect(config.portalURL))
        }
    }

    private func scanDocument(_ lastFailure: ProvisioningFailure?) -> JSONValue {
        guard case .object(var members) = PortalPage.scanJSON(networks) else { return .null }
        members.insert(JSONMember("device_id", .string(config.deviceID)), at: 0)
        if let lastFailure {
            members.append(JSONMember("last_failure", .object([
                JSONMember("ssid", .string(lastFailure.ssid)),
                JSONMember("reason", .string(lastFailure.reasonText)),
                JSONMember("attempts", .int(lastFailure.attempts)),
            ])))
        }
        return .object(members)
    }
}
