/// `WiFiCtrlPayload` of wifi_ctrl.proto: what `/prov-ctrl` carries (reset a failed provisioning,
/// re-provision a connected one). Every command and response is empty; `msg` says which it is.
public struct WiFiCtrlPayload: Equatable, Sendable {
    public var msg: Int
    public var status: Int
    /// The field number of the `oneof payload` member present (11 to 14), nil when absent.
    public var member: Int?

    public init(msg: Int, status: Int = 0, member: Int?) {
        self.msg = msg
        self.status = status
        self.member = member
    }

    /// `WiFiCtrlMsgType` numbers.
    public static let typeCmdCtrlReset = 1, typeRespCtrlReset = 2, typeCmdCtrlReprov = 3, typeRespCtrlReprov = 4

    /// A command or response of type `msg` with its matching empty payload member.
    public static func of(type msg: Int, status: Int = 0) -> WiFiCtrlPayload {
        WiFiCtrlPayload(msg: msg, status: status, member: (1...4).contains(msg) ? msg + 10 : nil)
    }
}

extension WiFiCtrlPayload {
    /// Decodes a `WiFiCtrlPayload` message.
    public static func decode(_ bytes: [UInt8]) throws(ProtobufError) -> WiFiCtrlPayload {
        var reader = try ProtobufReader(bytes)
        var out = WiFiCtrlPayload(msg: 0, member: nil)
        while let f = try reader.next() {
            switch f.number {
            case 1: out.msg = try reader.enumValue(f)
            case 2: out.status = try reader.enumValue(f)
            case 11...14:
                var sub = try reader.message(f)
                while try sub.next() != nil {}
                out.member = f.number
            default: break
            }
        }
        return out
    }

    /// The message's bytes (commands and responses are alike here, so `side` changes nothing).
    public func encoded<Side: ProtocommSide>(side: Side.Type) -> [UInt8] { encoded() }

    /// The message's bytes.
    public func encoded() -> [UInt8] {
        var w = ProtobufWriter()
        w.enumValue(1, msg)
        w.enumValue(2, status)
        if let member { w.message(member, ProtobufWriter()) }
        return w.encoded
    }
}
