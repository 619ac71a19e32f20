import DeviceCore

/// ESP-IDF's provisioning protocol: the protobuf codec against bytes Google's protobuf made, its
/// bounds, and the provisioning service through whole sessions of security 0, 1 and 2. Generic over
/// the crypto: the golden run uses `KnownAnswerCrypto` (on the host and on rv32imac), and the host
/// also runs these with OpenSSL (RISCVGoldenTests) to prove the transcript is real crypto's.
public func provisioningVectors<Crypto: DeviceCrypto>(_ emit: (String, String) -> Void, crypto: Crypto.Type) {
    protobufVectors(emit)

    var sec0 = SoftAPScript<Crypto>(SoftAPProvisioningConfig(security: .none, serviceName: "iot-ctrlr"))
    sec0.post("proto-ver", Array("---".utf8))
    sec0.post("prov-session", SessionData(secVer: 0, payload: .sec0(Sec0Payload(msg: 0, body: .command))).encoded())
    sec0.post("prov-scan", WiFiScanPayload(msg: 0, body: .scanStart(blocking: true, passive: false, groupChannels: 5, periodMs: 120)).encoded())
    sec0.station(.scanDone([ScannedNetwork(ssid: "home", bssid: [2, 0x53, 0x46, 0, 0, 1], rssi: -51, channel: 6, auth: .wpa2PSK),
                            ScannedNetwork(ssid: "cafe", bssid: [2, 0x53, 0x46, 0, 0, 2], rssi: -80, channel: 1, auth: .open)]))
    sec0.post("prov-scan", WiFiScanPayload(msg: 4, body: .scanResult(startIndex: 0, count: 3)).encoded())
    sec0.post("prov-config", setConfig("home", "wrong-pass"))
    sec0.post("prov-config", WiFiConfigPayload(msg: 4, body: .applyConfig).encoded())
    sec0.tick()
    sec0.station(.connectFailed(.authFailed))
    sec0.post("prov-config", WiFiConfigPayload(msg: 0, body: .getStatus).encoded())
    sec0.post("prov-ctrl", WiFiCtrlPayload.of(type: 1).encoded())
    sec0.post("prov-config", setConfig("home", "hunter22"))
    sec0.post("prov-config", WiFiConfigPayload(msg: 4, body: .applyConfig).encoded())
    sec0.tick()
    sec0.station(.connected(ip: IPv4Address(10, 0, 0, 2), rssi: -51))
    sec0.post("prov-config", WiFiConfigPayload(msg: 0, body: .getStatus).encoded())
    sec0.tick()
    emit("provisioning.sec0-session", sec0.transcript)

    var refusals = SoftAPScript<Crypto>(SoftAPProvisioningConfig.reference)
    refusals.post("prov-config", WiFiConfigPayload(msg: 0, body: .getStatus).encoded())
    refusals.post("prov-session", SessionData(secVer: 2, payload: nil).encoded())
    refusals.post("prov-session", SessionData(secVer: 1, payload: nil).encoded())
    refusals.post("prov-session", SessionData(secVer: 1, payload: .sec1(Sec1Payload(msg: 2, body: .command1(clientVerifyData: [1])))).encoded())
    refusals.post("prov-session", [0x10, 0x01, 0x5a, 0x09])
    refusals.post("prov-session", [])
    refusals.post("nope", [1])
    refusals.post("prov-session", SessionData(secVer: 1, payload: .sec1(Sec1Payload(msg: 0, body: .command0(clientPubkey: [1, 2])))).encoded())
    emit("provisioning.refusals", refusals.transcript)

    emit("provisioning.sec1-session", secureScript(SoftAPProvisioningConfig.reference, sec1VectorRequests, crypto: crypto))
    let sec2 = SoftAPProvisioningConfig(security: .srp6a(.password(username: "wifiprov", password: "abcd1234")), serviceName: "iot-ctrlr")
    emit("provisioning.sec2-session", secureScript(sec2, sec2VectorRequests, crypto: crypto))
}

/// A security 1 or 2 session replayed from the requests SimFleet's client sent (fixed client
/// keys, device seed 14): version, a forged command 1 first (refused), the real handshake,
/// credentials, the join, the status that ends provisioning, and the stop.
public func secureScript<Crypto: DeviceCrypto>(_ config: SoftAPProvisioningConfig, _ hexRequests: [String], crypto: Crypto.Type) -> String {
    var requests: [[UInt8]] = []
    for h in hexRequests { requests.append(bytesFromHex(h) ?? []) }
    guard requests.count == 6 else { return "bad request list" }
    var s = SoftAPScript<Crypto>(config)
    s.post("proto-ver", requests[0])
    s.post("prov-session", requests[1])
    var forged = requests[2]
    forged[forged.count - 1] ^= 0x01
    s.post("prov-session", forged)
    s.post("prov-session", requests[2])
    s.post("prov-config", requests[3])
    s.post("prov-config", requests[4])
    s.tick()
    s.station(.connected(ip: IPv4Address(10, 0, 0, 2), rssi: -51))
    s.post("prov-config", requests[5])
    s.tick()
    return s.transcript
}

func setConfig(_ ssid: String, _ passphrase: String) -> [UInt8] {
    WiFiConfigPayload(msg: 2, body: .setConfig(ssid: Array(ssid.utf8), passphrase: Array(passphrase.utf8), bssid: [], channel: 0)).encoded()
}

/// The codec: bytes from Google's protobuf (ESP-IDF v5.1.1's generated modules) decoded and
/// encoded back, and malformed input refused with its reason.
func protobufVectors(_ emit: (String, String) -> Void) {
    var lines: [String] = []
    let wellFormed: [(ProtocommMessageKind, String)] = [
        (.session, "10015a25a201220a20000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"),
        (.session, "1002620c0803ba010712010a1a020b0c"),
        (.wifiConfig, "080262190a04686f6d651a0601020304050620fdffffffffffffffff01"),
        (.wifiConfig, "08015a1e5a1c0a0831302e302e302e3210031a04686f6d6522060253460000012806"),
        (.wifiScan, "08057a1f0a1d0a04686f6d65100618cdffffffffffffffff0122060253460000012803"),
        (.wifiCtrl, "080410057200"),
    ]
    for (kind, h) in wellFormed {
        let bytes = bytesFromHex(h) ?? []
        var again: [UInt8] = []
        switch kind {
        case .session: again = (try? SessionData.decode(bytes))?.encoded() ?? []
        case .wifiConfig: again = (try? WiFiConfigPayload.decode(bytes))?.encoded() ?? []
        case .wifiScan: again = (try? WiFiScanPayload.decode(bytes))?.encoded() ?? []
        case .wifiCtrl: again = (try? WiFiCtrlPayload.decode(bytes))?.encoded() ?? []
        }
        lines.append((again == bytes ? "same " : "DIFFERENT ") + hexString(again))
    }
    let malformed = ["10015a25a2", "08ffffffffffffffffffff01", "0001", "0b", "0a0102", "08026202" + "0801", "10015801",
                     "f8ffffff7f00", "1a05010203"]
    for h in malformed {
        let e = decodeProtocommMessage(bytesFromHex(h) ?? [], as: .wifiConfig)
        lines.append(h + " -> " + (e?.reason ?? "ok"))
    }
    lines.append("4097 bytes -> " + (decodeProtocommMessage([UInt8](repeating: 0, count: 4097), as: .session)?.reason ?? "ok"))
    emit("provisioning.protobuf", joined(lines, "\n"))
}

/// A provisioning service on a virtual clock (100 ms per request), its outputs rendered one line
/// per action: responses as status, headers and the body in hex.
struct SoftAPScript<Crypto: DeviceCrypto> {
    var service: SoftAPProvisioning
    var random = SeededRandom(seed: 14)
    var now = Instant(milliseconds: 1_000_000)
    var nextID: UInt32 = 0
    var cookie: String?
    var lines: [String] = []

    init(_ config: SoftAPProvisioningConfig) { service = SoftAPProvisioning(config: config) }

    var transcript: String { joined(lines, "\n") }

    mutating func post(_ endpoint: String, _ body: [UInt8]) {
        now = now + .milliseconds(100)
        nextID += 1
        var headers: [HTTPHeader] = []
        if let cookie { headers.append(HTTPHeader("Cookie", cookie)) }
        lines.append("> " + endpoint + " " + hexString(body))
        let request = HTTPRequest(method: .post, path: "/" + endpoint, headers: headers, body: body, connection: 1)
        let out = service.handle(.request(id: nextID, request), at: now, random: &random, crypto: Crypto.self)
        for action in out.actions {
            if case .httpRespond(_, let r) = action, let set = r.header("Set-Cookie") { cookie = set }
        }
        render(out)
    }

    mutating func tick() {
        if let due = service.deadline { now = due }
        lines.append("> tick +" + dec(now.milliseconds - 1_000_000) + "ms")
        render(service.handle(.tick, at: now, random: &random, crypto: Crypto.self))
    }

    mutating func station(_ event: WiFiEvent) {
        lines.append("> station " + stationName(event))
        render(service.handle(.station(event), at: now, random: &random, crypto: Crypto.self))
    }

    private mutating func render(_ out: SoftAPProvisioning.Output) {
        for action in out.actions {
            if case .httpRespond(_, let r) = action {
                lines.append("  " + dec(r.status) + " [" + renderHeaders(r.headers) + "] " + hexString(r.body))
            } else {
                lines.append("  " + renderAction(action))
            }
        }
        var notes: [String] = ["phase " + service.phaseName]
        if let r = out.refusal { notes.append("refused " + r.code) }
        if let s = out.storage {
            switch s {
            case .store(let c): notes.append("nvs store " + c.ssid)
            case .confirm: notes.append("nvs confirm")
            case .erase: notes.append("nvs erase")
            }
        }
        if out.sessionEstablished { notes.append("session established") }
        if out.restart { notes.append("restart") }
        if let d = service.deadline { notes.append("deadline +" + dec(d.milliseconds - 1_000_000) + "ms") }
        lines.append("  = " + joined(notes, ", "))
    }

    private func stationName(_ e: WiFiEvent) -> String {
        switch e {
        case .connected(let ip, let rssi): return "connected " + ip.text + " " + dec(rssi)
        case .connectFailed(let r): return "connect-failed " + r.name
        case .disconnected(let r): return "disconnected " + r.name
        case .scanDone(let n): return "scan-done " + dec(n.count)
        }
    }
}
