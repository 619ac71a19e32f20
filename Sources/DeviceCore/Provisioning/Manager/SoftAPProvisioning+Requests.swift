/// The service's HTTP side: which endpoint a request names, which session it belongs to, the
/// `/prov-session` handshake, and the configuration, scan, control and custom endpoints behind
/// the session's cipher.
extension SoftAPProvisioning {
    /// The service's endpoints (protocomm's names, each served at `/<name>`).
    enum Endpoint: Equatable {
        case protoVersion, session, config, scan, ctrl
        case custom(Int)

        var name: String {
            switch self {
            case .protoVersion: return "proto-ver"
            case .session: return "prov-session"
            case .config: return "prov-config"
            case .scan: return "prov-scan"
            case .ctrl: return "prov-ctrl"
            case .custom: return "custom"
            }
        }
    }

    /// What an endpoint handler gives back: a plaintext response now, or one later (a blocking scan).
    enum Reply {
        case now([UInt8])
        case later
    }

    /// Largest request body protocomm's httpd transport reads (`MAX_REQ_BODY_LEN`).
    public static let maxBodyBytes = 4096

    func endpoint(named path: String) -> Endpoint? {
        switch path {
        case "/proto-ver": return .protoVersion
        case "/prov-session": return .session
        case "/prov-config": return .config
        case "/prov-scan": return .scan
        case "/prov-ctrl": return .ctrl
        default:
            for (i, e) in config.customEndpoints.enumerated() where path == "/" + e.name { return .custom(i) }
            return nil
        }
    }

    mutating func serve<Crypto: DeviceCrypto>(id: UInt32, _ request: HTTPRequest, at now: Instant, random: inout SeededRandom,
                                              crypto: Crypto.Type, out: inout Output) {
        if case .stopped = state { return refuse(id: id, .unknownEndpoint(request.path), out: &out) }
        guard let ep = endpoint(named: request.path) else {
            return refuse(id: id, .unknownEndpoint(request.path), out: &out)
        }
        guard request.method == .post else { return refuse(id: id, .methodNotAllowed(request.path), out: &out) }
        let route = transport.route(request, random: &random)
        if route.isNew {
            session = SecureSession(config.security)
            out.actions.append(.log(.debug, "provisioning: new session " + decimal(Int64(route.id))))
        }
        guard request.bodyLength <= SoftAPProvisioning.maxBodyBytes, request.bodyLength == request.body.count else {
            return refuse(id: id, .bodyTooLarge(limit: SoftAPProvisioning.maxBodyBytes), out: &out)
        }
        guard !request.body.isEmpty else { return refuse(id: id, .emptyBody, out: &out) }
        let newSession: UInt32? = route.isNew ? route.id : nil
        switch ep {
        case .protoVersion:
            respond(id: id, Array(protoVersionJSON.utf8), newSession: newSession, out: &out)
        case .session:
            switch sessionRequest(request.body, random: &random, crypto: crypto, out: &out) {
            case .success(let reply): respond(id: id, reply, newSession: newSession, out: &out)
            case .failure(let refusal): refuse(id: id, refusal, out: &out)
            }
        default:
            let plain: [UInt8]
            switch session.open(request.body, crypto: crypto) {
            case .success(let p): plain = p
            case .failure(let refusal): return refuse(id: id, refusal, out: &out)
            }
            let reply: Result<Reply, SoftAPRefusal>
            switch ep {
            case .config: reply = configRequest(plain, at: now, out: &out)
            case .scan: reply = scanRequest(plain, id: id, at: now, out: &out)
            case .ctrl: reply = ctrlRequest(plain, out: &out)
            case .custom(let i):
                out.customData = (config.customEndpoints[i].name, plain)
                out.actions.append(.log(.info, "provisioning: " + config.customEndpoints[i].name + " received "
                                        + decimal(Int64(plain.count)) + " bytes"))
                reply = .success(.now(config.customEndpoints[i].reply))
            default: reply = .success(.later)
            }
            switch reply {
            case .success(.now(let body)): sealAndRespond(id: id, body, newSession: newSession, crypto: crypto, out: &out)
            case .success(.later): break
            case .failure(let refusal): refuse(id: id, refusal, out: &out)
            }
        }
    }

    /// The `/proto-ver` document as ESP-IDF's `cJSON_Print` formats it: version, security level and
    /// capabilities (`wifi_scan`, plus `no_sec` or `no_pop` when they apply).
    var protoVersionJSON: String {
        var caps = ""
        switch config.security {
        case .none: caps = "\"no_sec\", "
        case .proofOfPossession(let pop) where pop?.isEmpty ?? true: caps = "\"no_pop\", "
        default: break
        }
        return "{\n\t\"prov\":\t{\n\t\t\"ver\":\t\"v1.1\",\n\t\t\"sec_ver\":\t" + decimal(Int64(config.security.version))
            + ",\n\t\t\"cap\":\t[" + caps + "\"wifi_scan\"]\n\t}\n}"
    }

    // MARK: - /prov-session

    mutating func sessionRequest<Crypto: DeviceCrypto>(_ body: [UInt8], random: inout SeededRandom, crypto: Crypto.Type,
                                                       out: inout Output) -> Result<[UInt8], SoftAPRefusal> {
        let request: SessionData
        do { request = try SessionData.decode(body, side: DeviceSide.self) } catch { return .failure(.malformed(endpoint: "prov-session", error)) }
        let level = config.security.version
        guard request.secVer == level else { return .failure(.securityVersionMismatch(expected: level, got: request.secVer)) }
        switch (config.security, request.payload) {
        case (.none, _):
            return .success(SessionData(secVer: 0, payload: .sec0(Sec0Payload(msg: 1, body: .response(status: 0)))).encoded(side: DeviceSide.self))
        case (.proofOfPossession(let pop), .sec1(let p)?):
            switch (p.msg, p.body) {
            case (0, .command0(let key)?):
                session = .awaitingCommand0  // a new command 0 restarts the session, as ESP-IDF does
                switch Security1.command0(clientPublicKey: key, pop: pop, random: &random, crypto: crypto) {
                case .success(let (handshake, response)):
                    session = .sec1AwaitingVerify(handshake)
                    return .success(SessionData(secVer: 1, payload: .sec1(response)).encoded(side: DeviceSide.self))
                case .failure(let refusal): return .failure(refusal)
                }
            case (2, .command1(let verify)?):
                guard case .sec1AwaitingVerify(let handshake) = session else { return .failure(.sessionCommandOutOfOrder) }
                switch Security1.command1(handshake, clientVerifyData: verify, crypto: crypto) {
                case .success(let (stream, response)):
                    session = .sec1Established(stream)
                    out.sessionEstablished = true
                    out.actions.append(.log(.info, "provisioning: security 1 session established"))
                    return .success(SessionData(secVer: 1, payload: .sec1(response)).encoded(side: DeviceSide.self))
                case .failure(let refusal): return .failure(refusal)
                }
            default: return .failure(.unexpectedSessionMessage(msg: p.msg))
            }
        case (.srp6a(let credentials), .sec2(let p)?):
            switch (p.msg, p.body) {
            case (0, .command0(let username, let key)?):
                session = .awaitingCommand0
                if verifier == nil { verifier = Security2.verifier(credentials, random: &random, crypto: crypto) }
                guard let v = verifier else { return .failure(.cryptoUnavailable) }
                switch Security2.command0(username: username, clientPublic: key, verifier: v, random: &random, crypto: crypto) {
                case .success(let (handshake, response)):
                    session = .sec2AwaitingProof(handshake)
                    return .success(SessionData(secVer: 2, payload: .sec2(response)).encoded(side: DeviceSide.self))
                case .failure(let refusal): return .failure(refusal)
                }
            case (2, .command1(let proof)?):
                guard case .sec2AwaitingProof(let handshake) = session else { return .failure(.sessionCommandOutOfOrder) }
                switch Security2.command1(handshake, clientProof: proof, random: &random, crypto: crypto) {
                case .success(let (key, nonce, response)):
                    session = .sec2Established(key: key, nonce: nonce)
                    out.sessionEstablished = true
                    out.actions.append(.log(.info, "provisioning: security 2 session established"))
                    return .success(SessionData(secVer: 2, payload: .sec2(response)).encoded(side: DeviceSide.self))
                case .failure(let refusal): return .failure(refusal)
                }
            default: return .failure(.unexpectedSessionMessage(msg: p.msg))
            }
        default:
            return .failure(.missingSessionPayload)
        }
    }

    // MARK: - Replies

    /// Answers 200 with `body`; a request that opened a session gets its cookie.
    private func respond(id: UInt32, _ body: [UInt8], newSession: UInt32?, out: inout Output) {
        var headers = [HTTPHeader("Content-Type", "text/html")]
        if let newSession { headers.append(HTTPHeader("Set-Cookie", "session=" + decimal(Int64(newSession)))) }
        out.actions.append(.httpRespond(id: id, HTTPResponse(status: 200, headers: headers, body: body)))
    }

    /// Enciphers `plain` with the session and answers it.
    mutating func sealAndRespond<Crypto: DeviceCrypto>(id: UInt32, _ plain: [UInt8], newSession: UInt32?, crypto: Crypto.Type,
                                                       out: inout Output) {
        guard let sealed = session.seal(plain, crypto: crypto) else { return refuse(id: id, .cryptoUnavailable, out: &out) }
        respond(id: id, sealed, newSession: newSession, out: &out)
    }

    /// Answers a refusal: its status, its code (`X-Protocomm-Refusal`, for clients that count
    /// reasons) and reason, and (for protocomm's own failures, where ESP-IDF drops the
    /// connection) `Connection: close`.
    private func refuse(id: UInt32, _ refusal: SoftAPRefusal, out: inout Output) {
        out.refusal = refusal
        out.actions.append(.log(.warning, "provisioning: refused: " + refusal.reason))
        var headers = [HTTPHeader("Content-Type", "text/plain; charset=utf-8"), HTTPHeader("X-Protocomm-Refusal", refusal.code)]
        if refusal.httpStatus == 500 { headers.append(HTTPHeader("Connection", "close")) }
        out.actions.append(.httpRespond(id: id, HTTPResponse(status: refusal.httpStatus, headers: headers,
                                                            body: Array((refusal.reason + "\n").utf8))))
    }
}
