import XCTest
@testable import DeviceCore

/// The provisioning service alone on a virtual clock, with a security 0 client's requests built
/// from the codec (security 1 and 2 need real crypto: SimFleetTests drives them with OpenSSL).
struct SoftAPHarness {
    var service: SoftAPProvisioning
    var random = SeededRandom(seed: 7)
    var now = Instant(milliseconds: 1_000_000)
    var nextID: UInt32 = 0
    /// The cookie the client holds (set from every `Set-Cookie`).
    var cookie: String?
    var connection: UInt32? = 1

    init(_ config: SoftAPProvisioningConfig = SoftAPProvisioningConfig(security: .none, serviceName: "iot-ctrlr")) {
        service = SoftAPProvisioning(config: config)
    }

    /// Delivers `event` now.
    @discardableResult
    mutating func send(_ event: SoftAPProvisioning.Event) -> SoftAPProvisioning.Output {
        service.handle(event, at: now, random: &random, crypto: InsecureTestCrypto.self)
    }

    /// POSTs `body` to `path` as the client (its cookie and connection) and returns the response
    /// to that request, if one came now, with the whole output.
    @discardableResult
    mutating func post(_ path: String, _ body: [UInt8], method: HTTPMethod = .post) -> (response: HTTPResponse?, output: SoftAPProvisioning.Output) {
        nextID += 1
        var headers: [HTTPHeader] = []
        if let cookie { headers.append(HTTPHeader("Cookie", cookie)) }
        let request = HTTPRequest(method: method, path: path, headers: headers, body: body, connection: connection)
        let out = send(.request(id: nextID, request))
        let response = out.actions.response(to: nextID)
        if let set = response?.header("Set-Cookie") { cookie = set }
        return (response, out)
    }

    /// Moves the clock to the service's deadline and ticks.
    @discardableResult
    mutating func tickAtDeadline() -> SoftAPProvisioning.Output? {
        guard let due = service.deadline else { return nil }
        now = max(now, due)
        return send(.tick)
    }

    // MARK: - A security 0 client

    mutating func openSession() -> HTTPResponse? {
        post("/prov-session", SessionData(secVer: 0, payload: .sec0(Sec0Payload(msg: 0, body: .command))).encoded()).response
    }

    mutating func config(_ payload: WiFiConfigPayload) -> WiFiConfigPayload? {
        guard let r = post("/prov-config", payload.encoded()).response, r.status == 200 else { return nil }
        return try? WiFiConfigPayload.decode(r.body)
    }

    mutating func setConfig(_ ssid: String, _ passphrase: String) -> Int? {
        guard case .setConfigResponse(let status)? = config(WiFiConfigPayload(
            msg: WiFiConfigPayload.typeCmdSetConfig,
            body: .setConfig(ssid: Array(ssid.utf8), passphrase: Array(passphrase.utf8), bssid: [], channel: 0)))?.body
        else { return nil }
        return status
    }

    mutating func apply() -> Int? {
        guard case .applyConfigResponse(let status)? = config(WiFiConfigPayload(msg: WiFiConfigPayload.typeCmdApplyConfig,
                                                                                  body: .applyConfig))?.body else { return nil }
        return status
    }

    /// `GetStatus`: (sta_state, detail).
    mutating func status() -> (state: Int, detail: WiFiConfigPayload.StationDetail?)? {
        guard case .getStatusResponse(_, let state, let detail)? = config(WiFiConfigPayload(msg: WiFiConfigPayload.typeCmdGetStatus,
                                                                                              body: .getStatus))?.body else { return nil }
        return (state, detail)
    }

    mutating func ctrl(_ type: Int) -> Int? {
        guard let r = post("/prov-ctrl", WiFiCtrlPayload.of(type: type).encoded()).response, r.status == 200,
              let m = try? WiFiCtrlPayload.decode(r.body) else { return nil }
        XCTAssertEqual(m.msg, type + 1)
        return m.status
    }

    mutating func scan(_ body: WiFiScanPayload.Body, msg: Int) -> (HTTPResponse?, SoftAPProvisioning.Output) {
        post("/prov-scan", WiFiScanPayload(msg: msg, body: body).encoded())
    }
}

let success = ProtocommStatus.success.rawValue
let internalError = ProtocommStatus.internalError.rawValue
let invalidArgument = ProtocommStatus.invalidArgument.rawValue
