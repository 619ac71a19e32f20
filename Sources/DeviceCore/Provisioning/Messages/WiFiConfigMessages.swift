/// `WiFiConfigPayload` of wifi_config.proto: what `/prov-config` carries (get status, set and
/// apply the station configuration). `msg` is the `WiFiConfigMsgType` number.
public struct WiFiConfigPayload: Equatable, Sendable {
    public var msg: Int
    public var body: Body?

    public enum Body: Equatable, Sendable {
        /// `CmdGetStatus` (field 10).
        case getStatus
        /// `RespGetStatus` (field 11): `status`, `sta_state`, and the `oneof state`.
        case getStatusResponse(status: Int, state: Int, detail: StationDetail?)
        /// `CmdSetConfig` (field 12).
        case setConfig(ssid: [UInt8], passphrase: [UInt8], bssid: [UInt8], channel: Int32)
        /// `RespSetConfig` (field 13).
        case setConfigResponse(status: Int)
        /// `CmdApplyConfig` (field 14).
        case applyConfig
        /// `RespApplyConfig` (field 15).
        case applyConfigResponse(status: Int)
    }

    /// The `oneof state` of `RespGetStatus`: why a join failed, or the network joined.
    public enum StationDetail: Equatable, Sendable {
        /// `fail_reason` (field 10), a `WifiConnectFailedReason` number.
        case failReason(Int)
        /// `connected` (field 11), a `WifiConnectedState`.
        case connected(ConnectedState)
    }

    /// `WifiConnectedState`: the station's address and the access point it joined.
    public struct ConnectedState: Equatable, Sendable {
        public var ip4Address: String
        public var authMode: Int
        public var ssid: [UInt8]
        public var bssid: [UInt8]
        public var channel: Int32

        public init(ip4Address: String, authMode: Int, ssid: [UInt8], bssid: [UInt8], channel: Int32) {
            self.ip4Address = ip4Address
            self.authMode = authMode
            self.ssid = ssid
            self.bssid = bssid
            self.channel = channel
        }
    }

    public init(msg: Int, body: Body?) {
        self.msg = msg
        self.body = body
    }

    /// `WiFiConfigMsgType` numbers.
    public static let typeCmdGetStatus = 0, typeRespGetStatus = 1, typeCmdSetConfig = 2, typeRespSetConfig = 3
    public static let typeCmdApplyConfig = 4, typeRespApplyConfig = 5
}

extension WiFiConfigPayload {
    /// Decodes a `WiFiConfigPayload` message, commands and responses alike.
    public static func decode(_ bytes: [UInt8]) throws(ProtobufError) -> WiFiConfigPayload {
        try decode(bytes, side: AnyProtocommMessage.self)
    }

    /// Decodes the fields `side` reads; the others are skipped as unknown.
    public static func decode<Side: ProtocommSide>(_ bytes: [UInt8], side: Side.Type) throws(ProtobufError) -> WiFiConfigPayload {
        var reader = try ProtobufReader(bytes)
        var out = WiFiConfigPayload(msg: 0, body: nil)
        while let f = try reader.next() {
            switch f.number {
            case 1: out.msg = try reader.enumValue(f)
            case 10 where Side.readsCommands, 14 where Side.readsCommands:
                var sub = try reader.message(f)
                while try sub.next() != nil {}
                out.body = f.number == 10 ? .getStatus : .applyConfig
            case 11 where Side.readsResponses: out.body = try decodeStatusResponse(try reader.message(f))
            case 12 where Side.readsCommands:
                var sub = try reader.message(f)
                var ssid: [UInt8] = [], passphrase: [UInt8] = [], bssid: [UInt8] = []
                var channel: Int32 = 0
                while let g = try sub.next() {
                    switch g.number {
                    case 1: ssid = try sub.bytes(g)
                    case 2: passphrase = try sub.bytes(g)
                    case 3: bssid = try sub.bytes(g)
                    case 4: channel = try sub.int32(g)
                    default: break
                    }
                }
                out.body = .setConfig(ssid: ssid, passphrase: passphrase, bssid: bssid, channel: channel)
            case 13 where Side.readsResponses, 15 where Side.readsResponses:
                var sub = try reader.message(f)
                var status = 0
                while let g = try sub.next() {
                    if g.number == 1 { status = try sub.enumValue(g) }
                }
                out.body = f.number == 13 ? .setConfigResponse(status: status) : .applyConfigResponse(status: status)
            default: break
            }
        }
        return out
    }

    private static func decodeStatusResponse(_ r: ProtobufReader) throws(ProtobufError) -> Body {
        var reader = r
        var status = 0, state = 0
        var detail: StationDetail? = nil
        while let f = try reader.next() {
            switch f.number {
            case 1: status = try reader.enumValue(f)
            case 2: state = try reader.enumValue(f)
            case 10: detail = .failReason(try reader.enumValue(f))
            case 11:
                var sub = try reader.message(f)
                var c = ConnectedState(ip4Address: "", authMode: 0, ssid: [], bssid: [], channel: 0)
                while let g = try sub.next() {
                    switch g.number {
                    case 1: c.ip4Address = String(decoding: try sub.bytes(g), as: UTF8.self)
                    case 2: c.authMode = try sub.enumValue(g)
                    case 3: c.ssid = try sub.bytes(g)
                    case 4: c.bssid = try sub.bytes(g)
                    case 5: c.channel = try sub.int32(g)
                    default: break
                    }
                }
                detail = .connected(c)
            default: break
            }
        }
        return .getStatusResponse(status: status, state: state, detail: detail)
    }

    /// The message's bytes.
    public func encoded() -> [UInt8] { encoded(side: AnyProtocommMessage.self) }

    /// The message's bytes, writing only the cases `side` writes.
    public func encoded<Side: ProtocommSide>(side: Side.Type) -> [UInt8] {
        var w = ProtobufWriter()
        w.enumValue(1, msg)
        var sub = ProtobufWriter()
        switch body {
        case .getStatus? where Side.writesCommands: w.message(10, sub)
        case .getStatusResponse(let status, let state, let detail)? where Side.writesResponses:
            sub.enumValue(1, status)
            sub.enumValue(2, state)
            switch detail {
            case .failReason(let reason)?: sub.enumValue(10, reason, always: true)
            case .connected(let c)?:
                var conn = ProtobufWriter()
                conn.bytes(1, Array(c.ip4Address.utf8))
                conn.enumValue(2, c.authMode)
                conn.bytes(3, c.ssid)
                conn.bytes(4, c.bssid)
                conn.int32(5, c.channel)
                sub.message(11, conn)
            case nil: break
            }
            w.message(11, sub)
        case .setConfig(let ssid, let passphrase, let bssid, let channel)? where Side.writesCommands:
            sub.bytes(1, ssid)
            sub.bytes(2, passphrase)
            sub.bytes(3, bssid)
            sub.int32(4, channel)
            w.message(12, sub)
        case .setConfigResponse(let status)? where Side.writesResponses:
            sub.enumValue(1, status)
            w.message(13, sub)
        case .applyConfig? where Side.writesCommands: w.message(14, sub)
        case .applyConfigResponse(let status)? where Side.writesResponses:
            sub.enumValue(1, status)
            w.message(15, sub)
        default: break
        }
        return w.encoded
    }
}
