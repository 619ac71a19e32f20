/// The captive portal's web side as a value: routes a request in the current state and says what
/// the device must do (`Output`: the response as an action, a typed refusal, a notice). It never
/// stores anything itself: a successful save comes back as the notice `.saved` for `Device` to
/// write to its key-value store before rebooting at `deadline`.
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
    public var deadline: Instant? {
        if case .savedAwaitingReboot(_, let at) = state { return at }
        return nil
    }

    /// Time passed: once the reboot delay after a save is over, the portal closes and says so
    /// (the notice `.rebootDue`, once).
    public mutating func tick(at now: Instant) -> Output {
        guard case .savedAwaitingReboot(_, let at) = state, now >= at else { return Output() }
        state = .closed
        return Output(notice: .rebootDue)
    }

    /// Stops serving (the AP went down); later requests get 410.
    public mutating func close() { state = .closed }

    /// Answers HTTP request `id` at time `now`: the response goes out as `.httpRespond(id:)`, after
    /// the log line of a save (accepted: the notice `.saved`; refused: the refusal).
    public mutating func handle(_ request: HTTPRequest, id: UInt32, at now: Instant) -> Output {
        switch state {
        case .closed:
            return answer(id, .text(410, "WiFi setup is finished; this portal is closed.\n"), refusal: .closed)
        case .savedAwaitingReboot(let ssid, let rebootAt):
            if !config.isOwnHost(request.host) || ProbeURLs.isProbe(request.path) {
                return answer(id, .redirect(config.portalURL))
            }
            if request.method == .post && request.path == "/save" {
                return answer(id, .error(409, "credentials already saved; the device is restarting"), refusal: .alreadySaved)
            }
            let seconds = max(Int64(0), (rebootAt - now).milliseconds + 999) / 1000
            return answer(id, .html(200, PortalPage.saved(ssid: ssid, rebootSeconds: seconds)))
        case .serving(let lastFailure):
            return serve(request, id: id, lastFailure: lastFailure, at: now)
        }
    }

    private mutating func serve(_ request: HTTPRequest, id: UInt32, lastFailure: ProvisioningFailure?,
                                at now: Instant) -> Output {
        guard request.bodyLength <= config.maxBodyBytes else {
            return refuse(.bodyTooLarge(limit: config.maxBodyBytes), id: id, json: false, ssid: "")
        }
        guard config.isOwnHost(request.host), !ProbeURLs.isProbe(request.path) else {
            return answer(id, .redirect(config.portalURL))
        }
        switch (request.method, request.path) {
        case (.get, "/"), (.head, "/"), (.get, "/index.html"):
            if let page = config.files["index.html"] {
                return answer(id, HTTPResponse(status: 200, headers: [HTTPHeader("Content-Type", "text/html; charset=utf-8")], body: page))
            }
            return answer(id, .html(200, PortalPage.setup(deviceID: config.deviceID, networks: networks,
                                                          notice: lastFailure?.text, ssid: lastFailure?.ssid ?? "")))
        case (.get, "/scan"):
            return answer(id, HTTPResponse(status: 200, headers: [HTTPHeader("Content-Type", "application/json"),
                                                                  HTTPHeader("Cache-Control", "no-store")],
                                           body: htmlSafeJSONBytes(scanDocument(lastFailure))))
        case (.post, "/save"):
            return save(request, id: id, at: now)
        default:
            let name = String(decoding: request.path.utf8.dropFirst(), as: UTF8.self)
            if request.method == .get, let file = config.files[name] {
                return answer(id, HTTPResponse(status: 200, headers: [HTTPHeader("Content-Type", PortalFiles.contentType(of: name))], body: file))
            }
            return answer(id, .redirect(config.portalURL))
        }
    }

    /// The one way an answer is built: the log line (if any) first, then the response, as the
    /// device has always emitted them. (No `log == nil` here: that would link `Action`'s `==`.)
    func answer(_ id: UInt32, _ response: HTTPResponse, log: Action? = nil, refusal: Refusal? = nil,
                notice: Notice? = nil) -> Output {
        guard let log else { return Output([.httpRespond(id: id, response)], refusal: refusal, notice: notice) }
        return Output([log, .httpRespond(id: id, response)], refusal: refusal, notice: notice)
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
