import DeviceCore
import Foundation

/// How a provisioning client reaches the device's endpoints: one POST per call, the answer's
/// body on 200. `CurlProvisioningTransport` is the real one (HTTP to the device's address).
public protocol ProvisioningTransport: AnyObject {
    /// POSTs `body` to `/<endpoint>` and returns the 200 answer's body.
    func post(_ endpoint: String, _ body: [UInt8]) throws(ProvisioningClientError) -> [UInt8]
}

/// SimFleet's own client for ESP-IDF's provisioning service, doing what `esp_prov` does: check
/// the version, establish the session, scan, send and apply the station configuration, poll the
/// status, reset or re-provision. Built on DeviceCore's codec and OpenSSL; one session per client.
public final class ProvisioningClient {
    /// What `GetStatus` said.
    public enum StationStatus: Equatable, Sendable {
        case connecting
        case connected(ip: String)
        case failed(ProvisionedJoinFailure?)
        case disconnected
    }

    /// A network from the device's scan.
    public struct ScanEntry: Equatable, Sendable {
        public var ssid: String
        public var bssid: [UInt8]
        public var channel: Int
        public var rssi: Int
        public var auth: Int
    }

    let transport: ProvisioningTransport
    var session: ProtocommClientSession

    /// A client that will speak `security` over `transport`.
    public init(transport: ProvisioningTransport, security: ClientSecurity) {
        self.transport = transport
        self.session = ProtocommClientSession(security: security)
    }

    init(transport: ProvisioningTransport, session: ProtocommClientSession) {
        self.transport = transport
        self.session = session
    }

    /// The `/proto-ver` document (sent `---`, as esp_prov does to read it).
    public func protoVersion() throws(ProvisioningClientError) -> String {
        String(decoding: try transport.post("proto-ver", Array("---".utf8)), as: UTF8.self)
    }

    /// Runs the `/prov-session` handshake to the end.
    public func establishSession() throws(ProvisioningClientError) {
        var response: [UInt8]? = nil
        while let request = try session.next(after: response) {
            response = try transport.post("prov-session", request)
        }
        if !session.isEstablished {
            _ = try session.next(after: response)
        }
        guard session.isEstablished else { throw .protocolViolation("session did not complete") }
    }

    /// A blocking scan, then every result in pages of `pageSize`.
    public func scan(pageSize: Int = 100) throws(ProvisioningClientError) -> [ScanEntry] {
        let start = try exchange("prov-scan", WiFiScanPayload(msg: WiFiScanPayload.typeCmdScanStart, body: .scanStart(
            blocking: true, passive: false, groupChannels: 5, periodMs: 120)).encoded(), decode: WiFiScanPayload.decode)
        guard start.status == 0 else { throw .protocolViolation("scan start status " + String(start.status)) }
        let status = try exchange("prov-scan", WiFiScanPayload(msg: WiFiScanPayload.typeCmdScanStatus, body: .scanStatus).encoded(),
                                  decode: WiFiScanPayload.decode)
        guard case .scanStatusResponse(_, let count)? = status.body else { throw .protocolViolation("no scan status") }
        var entries: [ScanEntry] = []
        var index = 0
        while index < Int(count) {
            let n = min(pageSize, Int(count) - index)
            let page = try exchange("prov-scan", WiFiScanPayload(msg: WiFiScanPayload.typeCmdScanResult, body: .scanResult(
                startIndex: UInt32(index), count: UInt32(n))).encoded(), decode: WiFiScanPayload.decode)
            guard page.status == 0, case .scanResultResponse(let list)? = page.body else { throw .protocolViolation("scan result status") }
            entries += list.map { ScanEntry(ssid: String(decoding: $0.ssid, as: UTF8.self), bssid: $0.bssid, channel: Int($0.channel),
                                            rssi: Int($0.rssi), auth: $0.auth) }
            index += n
        }
        return entries
    }

    /// `SetConfig`; returns the `Status` number the device answered.
    public func setConfig(ssid: String, passphrase: String) throws(ProvisioningClientError) -> Int {
        let r = try exchange("prov-config", WiFiConfigPayload(msg: WiFiConfigPayload.typeCmdSetConfig, body: .setConfig(
            ssid: Array(ssid.utf8), passphrase: Array(passphrase.utf8), bssid: [], channel: 0)).encoded(), decode: WiFiConfigPayload.decode)
        guard case .setConfigResponse(let status)? = r.body else { throw .protocolViolation("no SetConfig response") }
        return status
    }

    /// `ApplyConfig`; returns the `Status` number.
    public func applyConfig() throws(ProvisioningClientError) -> Int {
        let r = try exchange("prov-config", WiFiConfigPayload(msg: WiFiConfigPayload.typeCmdApplyConfig, body: .applyConfig).encoded(),
                             decode: WiFiConfigPayload.decode)
        guard case .applyConfigResponse(let status)? = r.body else { throw .protocolViolation("no ApplyConfig response") }
        return status
    }

    /// `GetStatus`.
    public func status() throws(ProvisioningClientError) -> StationStatus {
        let r = try exchange("prov-config", WiFiConfigPayload(msg: WiFiConfigPayload.typeCmdGetStatus, body: .getStatus).encoded(),
                             decode: WiFiConfigPayload.decode)
        guard case .getStatusResponse(_, let state, let detail)? = r.body else { throw .protocolViolation("no GetStatus response") }
        switch ProvisionedStationState(rawValue: state) {
        case .connected?:
            if case .connected(let c)? = detail { return .connected(ip: c.ip4Address) }
            return .connected(ip: "")
        case .connecting?: return .connecting
        case .connectionFailed?:
            if case .failReason(let r)? = detail { return .failed(ProvisionedJoinFailure(rawValue: r)) }
            return .failed(nil)
        default: return .disconnected
        }
    }

    /// `CtrlReset`; returns the `Status` number.
    public func reset() throws(ProvisioningClientError) -> Int { try control(WiFiCtrlPayload.typeCmdCtrlReset) }

    /// `CtrlReprov`; returns the `Status` number.
    public func reprovision() throws(ProvisioningClientError) -> Int { try control(WiFiCtrlPayload.typeCmdCtrlReprov) }

    /// Sends `data` to a custom endpoint and returns its deciphered answer.
    public func custom(_ endpoint: String, _ data: [UInt8]) throws(ProvisioningClientError) -> [UInt8] {
        let sealed = try session.encrypt(data)
        return try session.decrypt(try transport.post(endpoint, sealed))
    }

    /// The whole of `esp_prov`'s provisioning after the session: set, apply, then poll the status
    /// every `poll` until the device reports connected or failed, or `timeout` passes.
    public func provision(ssid: String, passphrase: String, poll: Double = 0.2,
                          timeout: Double = 30) throws(ProvisioningClientError) -> StationStatus {
        guard try setConfig(ssid: ssid, passphrase: passphrase) == 0 else { throw .protocolViolation("SetConfig refused") }
        guard try applyConfig() == 0 else { throw .protocolViolation("ApplyConfig refused") }
        let end = Date().addingTimeInterval(timeout)
        while true {
            let s = try status()
            if s != .connecting || Date() >= end { return s }
            OSThread.sleep(seconds: poll)
        }
    }

    private func control(_ type: Int) throws(ProvisioningClientError) -> Int {
        let r = try exchange("prov-ctrl", WiFiCtrlPayload.of(type: type).encoded(), decode: WiFiCtrlPayload.decode)
        guard r.msg == type + 1 else { throw .protocolViolation("control answer of type " + String(r.msg)) }
        return r.status
    }

    private func exchange<M>(_ endpoint: String, _ plain: [UInt8],
                             decode: ([UInt8]) throws(ProtobufError) -> M) throws(ProvisioningClientError) -> M {
        let answer = try session.decrypt(try transport.post(endpoint, try session.encrypt(plain)))
        do { return try decode(answer) } catch { throw .malformed(error) }
    }
}
