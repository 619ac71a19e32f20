/// `SessionData` of session.proto: what `/prov-session` carries in both directions. `secVer` is the
/// `SecSchemeVersion` number; `payload` the `oneof proto` member, nil when absent.
public struct SessionData: Equatable, Sendable {
    public var secVer: Int
    public var payload: SessionPayload?

    public init(secVer: Int, payload: SessionPayload?) {
        self.secVer = secVer
        self.payload = payload
    }
}

/// The `oneof proto` of `SessionData` (fields 10, 11, 12).
public enum SessionPayload: Equatable, Sendable {
    case sec0(Sec0Payload)
    case sec1(Sec1Payload)
    case sec2(Sec2Payload)
}

/// `Sec0Payload` of sec0.proto: `msg` (0 command, 1 response) and the command or response.
public struct Sec0Payload: Equatable, Sendable {
    public var msg: Int
    public var body: Body?

    public enum Body: Equatable, Sendable {
        /// `S0SessionCmd` (field 20), empty.
        case command
        /// `S0SessionResp` (field 21).
        case response(status: Int)
    }

    public init(msg: Int, body: Body?) {
        self.msg = msg
        self.body = body
    }
}

/// `Sec1Payload` of sec1.proto: `msg` (`Sec1MsgType`) and one of the four session messages.
public struct Sec1Payload: Equatable, Sendable {
    public var msg: Int
    public var body: Body?

    public enum Body: Equatable, Sendable {
        /// `SessionCmd0` (field 20): the client's X25519 public key.
        case command0(clientPubkey: [UInt8])
        /// `SessionResp0` (field 21): the device's public key and the 16-byte CTR nonce.
        case response0(status: Int, devicePubkey: [UInt8], deviceRandom: [UInt8])
        /// `SessionCmd1` (field 22): the device's public key, encrypted by the client.
        case command1(clientVerifyData: [UInt8])
        /// `SessionResp1` (field 23): the client's public key, encrypted by the device.
        case response1(status: Int, deviceVerifyData: [UInt8])
    }

    public init(msg: Int, body: Body?) {
        self.msg = msg
        self.body = body
    }
}

/// `Sec2Payload` of sec2.proto: `msg` (`Sec2MsgType`) and one of the four SRP6a session messages.
public struct Sec2Payload: Equatable, Sendable {
    public var msg: Int
    public var body: Body?

    public enum Body: Equatable, Sendable {
        /// `S2SessionCmd0` (field 20): username and SRP public value A.
        case command0(clientUsername: [UInt8], clientPubkey: [UInt8])
        /// `S2SessionResp0` (field 21): SRP public value B and the salt.
        case response0(status: Int, devicePubkey: [UInt8], deviceSalt: [UInt8])
        /// `S2SessionCmd1` (field 22): the client's proof M.
        case command1(clientProof: [UInt8])
        /// `S2SessionResp1` (field 23): the device's proof H(A, M, K) and the AES-GCM nonce.
        case response1(status: Int, deviceProof: [UInt8], deviceNonce: [UInt8])
    }

    public init(msg: Int, body: Body?) {
        self.msg = msg
        self.body = body
    }
}

// MARK: - Wire format

extension SessionData {
    /// Decodes a `SessionData` message, commands and responses alike.
    public static func decode(_ bytes: [UInt8]) throws(ProtobufError) -> SessionData {
        try decode(bytes, side: AnyProtocommMessage.self)
    }

    /// Decodes the fields `side` reads; the others are skipped as unknown.
    public static func decode<Side: ProtocommSide>(_ bytes: [UInt8], side: Side.Type) throws(ProtobufError) -> SessionData {
        var reader = try ProtobufReader(bytes)
        var out = SessionData(secVer: 0, payload: nil)
        while let f = try reader.next() {
            switch f.number {
            case 2: out.secVer = try reader.enumValue(f)
            case 10: out.payload = .sec0(try Sec0Payload.decode(try reader.message(f), side: side))
            case 11: out.payload = .sec1(try Sec1Payload.decode(try reader.message(f), side: side))
            case 12: out.payload = .sec2(try Sec2Payload.decode(try reader.message(f), side: side))
            default: break
            }
        }
        return out
    }

    /// The message's bytes.
    public func encoded() -> [UInt8] { encoded(side: AnyProtocommMessage.self) }

    /// The message's bytes, writing only the cases `side` writes.
    public func encoded<Side: ProtocommSide>(side: Side.Type) -> [UInt8] {
        var w = ProtobufWriter()
        w.enumValue(2, secVer)
        switch payload {
        case .sec0(let p)?: w.message(10, p.writer(side))
        case .sec1(let p)?: w.message(11, p.writer(side))
        case .sec2(let p)?: w.message(12, p.writer(side))
        case nil: break
        }
        return w.encoded
    }
}

extension Sec0Payload {
    static func decode<Side: ProtocommSide>(_ r: ProtobufReader, side: Side.Type) throws(ProtobufError) -> Sec0Payload {
        var reader = r
        var out = Sec0Payload(msg: 0, body: nil)
        while let f = try reader.next() {
            switch f.number {
            case 1: out.msg = try reader.enumValue(f)
            case 20 where Side.readsCommands:
                var sub = try reader.message(f)
                while try sub.next() != nil {}
                out.body = .command
            case 21 where Side.readsResponses:
                var sub = try reader.message(f)
                var status = 0
                while let g = try sub.next() {
                    if g.number == 1 { status = try sub.enumValue(g) }
                }
                out.body = .response(status: status)
            default: break
            }
        }
        return out
    }

    func writer<Side: ProtocommSide>(_ side: Side.Type) -> ProtobufWriter {
        var w = ProtobufWriter()
        w.enumValue(1, msg)
        switch body {
        case .command? where Side.writesCommands: w.message(20, ProtobufWriter())
        case .response(let status)? where Side.writesResponses:
            var sub = ProtobufWriter()
            sub.enumValue(1, status)
            w.message(21, sub)
        default: break
        }
        return w
    }
}

extension Sec1Payload {
    static func decode<Side: ProtocommSide>(_ r: ProtobufReader, side: Side.Type) throws(ProtobufError) -> Sec1Payload {
        var reader = r
        var out = Sec1Payload(msg: 0, body: nil)
        while let f = try reader.next() {
            guard f.number != 1 else {
                out.msg = try reader.enumValue(f)
                continue
            }
            // Commands are the even fields (20, 22), responses the odd ones (21, 23).
            guard (20...23).contains(f.number), f.number & 1 == 1 ? Side.readsResponses : Side.readsCommands else { continue }
            let m = try SessionFields.read(try reader.message(f), response: f.number & 1 == 1)
            switch f.number {
            case 20: out.body = .command0(clientPubkey: m.bytes1)
            case 21: out.body = .response0(status: m.status, devicePubkey: m.bytes2, deviceRandom: m.bytes3)
            case 22: out.body = .command1(clientVerifyData: m.bytes2)
            default: out.body = .response1(status: m.status, deviceVerifyData: m.bytes3)
            }
        }
        return out
    }

    func writer<Side: ProtocommSide>(_ side: Side.Type) -> ProtobufWriter {
        var w = ProtobufWriter()
        w.enumValue(1, msg)
        var sub = ProtobufWriter()
        switch body {
        case .command0(let key)? where Side.writesCommands:
            sub.bytes(1, key)
            w.message(20, sub)
        case .response0(let status, let key, let random)? where Side.writesResponses:
            sub.enumValue(1, status)
            sub.bytes(2, key)
            sub.bytes(3, random)
            w.message(21, sub)
        case .command1(let verify)? where Side.writesCommands:
            sub.bytes(2, verify)
            w.message(22, sub)
        case .response1(let status, let verify)? where Side.writesResponses:
            sub.enumValue(1, status)
            sub.bytes(3, verify)
            w.message(23, sub)
        default: break
        }
        return w
    }
}

extension Sec2Payload {
    static func decode<Side: ProtocommSide>(_ r: ProtobufReader, side: Side.Type) throws(ProtobufError) -> Sec2Payload {
        var reader = r
        var out = Sec2Payload(msg: 0, body: nil)
        while let f = try reader.next() {
            guard f.number != 1 else {
                out.msg = try reader.enumValue(f)
                continue
            }
            // Commands are the even fields (20, 22), responses the odd ones (21, 23).
            guard (20...23).contains(f.number), f.number & 1 == 1 ? Side.readsResponses : Side.readsCommands else { continue }
            let m = try SessionFields.read(try reader.message(f), response: f.number & 1 == 1)
            switch f.number {
            case 20: out.body = .command0(clientUsername: m.bytes1, clientPubkey: m.bytes2)
            case 21: out.body = .response0(status: m.status, devicePubkey: m.bytes2, deviceSalt: m.bytes3)
            case 22: out.body = .command1(clientProof: m.bytes1)
            default: out.body = .response1(status: m.status, deviceProof: m.bytes2, deviceNonce: m.bytes3)
            }
        }
        return out
    }

    func writer<Side: ProtocommSide>(_ side: Side.Type) -> ProtobufWriter {
        var w = ProtobufWriter()
        w.enumValue(1, msg)
        var sub = ProtobufWriter()
        switch body {
        case .command0(let username, let key)? where Side.writesCommands:
            sub.bytes(1, username)
            sub.bytes(2, key)
            w.message(20, sub)
        case .response0(let status, let key, let salt)? where Side.writesResponses:
            sub.enumValue(1, status)
            sub.bytes(2, key)
            sub.bytes(3, salt)
            w.message(21, sub)
        case .command1(let proof)? where Side.writesCommands:
            sub.bytes(1, proof)
            w.message(22, sub)
        case .response1(let status, let proof, let nonce)? where Side.writesResponses:
            sub.enumValue(1, status)
            sub.bytes(2, proof)
            sub.bytes(3, nonce)
            w.message(23, sub)
        default: break
        }
        return w
    }
}

/// The session messages of sec1.proto and sec2.proto share one layout: field 1 is a `Status` in
/// responses and bytes in commands, fields 2 and 3 are bytes. One reader serves all eight.
struct SessionFields {
    var status = 0
    var bytes1: [UInt8] = []
    var bytes2: [UInt8] = []
    var bytes3: [UInt8] = []

    /// Reads fields 1 to 3; field 1 is the status in a response (odd field numbers 21, 23), bytes
    /// in a command.
    static func read(_ r: ProtobufReader, response: Bool) throws(ProtobufError) -> SessionFields {
        var reader = r
        var out = SessionFields()
        while let f = try reader.next() {
            switch f.number {
            case 1:
                if response { out.status = try reader.enumValue(f) } else { out.bytes1 = try reader.bytes(f) }
            case 2: out.bytes2 = try reader.bytes(f)
            case 3: out.bytes3 = try reader.bytes(f)
            default: break
            }
        }
        return out
    }
}
