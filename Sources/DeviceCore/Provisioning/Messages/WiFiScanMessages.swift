/// `WiFiScanPayload` of wifi_scan.proto: what `/prov-scan` carries (start a scan, poll it, read
/// results page by page). `msg` is the `WiFiScanMsgType` number, `status` a `Status`.
public struct WiFiScanPayload: Equatable, Sendable {
    public var msg: Int
    public var status: Int
    public var body: Body?

    public enum Body: Equatable, Sendable {
        /// `CmdScanStart` (field 10).
        case scanStart(blocking: Bool, passive: Bool, groupChannels: UInt32, periodMs: UInt32)
        /// `RespScanStart` (field 11), empty.
        case scanStartResponse
        /// `CmdScanStatus` (field 12), empty.
        case scanStatus
        /// `RespScanStatus` (field 13).
        case scanStatusResponse(finished: Bool, resultCount: UInt32)
        /// `CmdScanResult` (field 14): a page of results.
        case scanResult(startIndex: UInt32, count: UInt32)
        /// `RespScanResult` (field 15).
        case scanResultResponse([Entry])
    }

    /// `WiFiScanResult`: one network seen.
    public struct Entry: Equatable, Sendable {
        public var ssid: [UInt8]
        public var channel: UInt32
        public var rssi: Int32
        public var bssid: [UInt8]
        public var auth: Int

        public init(ssid: [UInt8], channel: UInt32, rssi: Int32, bssid: [UInt8], auth: Int) {
            self.ssid = ssid
            self.channel = channel
            self.rssi = rssi
            self.bssid = bssid
            self.auth = auth
        }
    }

    /// Most entries one `RespScanResult` may hold (ESP-IDF keeps at most 16 results by default).
    public static let maxEntries = 64

    public init(msg: Int, status: Int = 0, body: Body?) {
        self.msg = msg
        self.status = status
        self.body = body
    }

    /// `WiFiScanMsgType` numbers.
    public static let typeCmdScanStart = 0, typeRespScanStart = 1, typeCmdScanStatus = 2, typeRespScanStatus = 3
    public static let typeCmdScanResult = 4, typeRespScanResult = 5
}

extension WiFiScanPayload {
    /// Decodes a `WiFiScanPayload` message, commands and responses alike.
    public static func decode(_ bytes: [UInt8]) throws(ProtobufError) -> WiFiScanPayload {
        try decode(bytes, side: AnyProtocommMessage.self)
    }

    /// Decodes the fields `side` reads; the others are skipped as unknown.
    public static func decode<Side: ProtocommSide>(_ bytes: [UInt8], side: Side.Type) throws(ProtobufError) -> WiFiScanPayload {
        var reader = try ProtobufReader(bytes)
        var out = WiFiScanPayload(msg: 0, body: nil)
        while let f = try reader.next() {
            switch f.number {
            case 1: out.msg = try reader.enumValue(f)
            case 2: out.status = try reader.enumValue(f)
            case 10 where Side.readsCommands, 13 where Side.readsResponses, 14 where Side.readsCommands:
                var sub = try reader.message(f)
                var a: UInt64 = 0, b: UInt64 = 0, c: UInt64 = 0, d: UInt64 = 0
                while let g = try sub.next() {
                    switch g.number {
                    case 1: a = try sub.varint(g)
                    case 2: b = try sub.varint(g)
                    case 3: c = try sub.varint(g)
                    case 4: d = try sub.varint(g)
                    default: break
                    }
                }
                switch f.number {
                case 10: out.body = .scanStart(blocking: a != 0, passive: b != 0, groupChannels: UInt32(truncatingIfNeeded: c),
                                               periodMs: UInt32(truncatingIfNeeded: d))
                case 13: out.body = .scanStatusResponse(finished: a != 0, resultCount: UInt32(truncatingIfNeeded: b))
                default: out.body = .scanResult(startIndex: UInt32(truncatingIfNeeded: a), count: UInt32(truncatingIfNeeded: b))
                }
            case 11 where Side.readsResponses, 12 where Side.readsCommands:
                var sub = try reader.message(f)
                while try sub.next() != nil {}
                out.body = f.number == 11 ? .scanStartResponse : .scanStatus
            case 15 where Side.readsResponses: out.body = .scanResultResponse(try decodeEntries(try reader.message(f)))
            default: break
            }
        }
        return out
    }

    private static func decodeEntries(_ r: ProtobufReader) throws(ProtobufError) -> [Entry] {
        var reader = r
        var entries: [Entry] = []
        while let f = try reader.next() {
            guard f.number == 1 else { continue }
            guard entries.count < maxEntries else { throw .tooManyEntries(field: 1, limit: maxEntries) }
            var sub = try reader.message(f)
            var e = Entry(ssid: [], channel: 0, rssi: 0, bssid: [], auth: 0)
            while let g = try sub.next() {
                switch g.number {
                case 1: e.ssid = try sub.bytes(g)
                case 2: e.channel = try sub.uint32(g)
                case 3: e.rssi = try sub.int32(g)
                case 4: e.bssid = try sub.bytes(g)
                case 5: e.auth = try sub.enumValue(g)
                default: break
                }
            }
            entries.append(e)
        }
        return entries
    }

    /// The message's bytes.
    public func encoded() -> [UInt8] { encoded(side: AnyProtocommMessage.self) }

    /// The message's bytes, writing only the cases `side` writes.
    public func encoded<Side: ProtocommSide>(side: Side.Type) -> [UInt8] {
        var w = ProtobufWriter()
        w.enumValue(1, msg)
        w.enumValue(2, status)
        var sub = ProtobufWriter()
        switch body {
        case .scanStart(let blocking, let passive, let groupChannels, let periodMs)? where Side.writesCommands:
            sub.bool(1, blocking)
            sub.bool(2, passive)
            sub.varint(3, UInt64(groupChannels))
            sub.varint(4, UInt64(periodMs))
            w.message(10, sub)
        case .scanStartResponse? where Side.writesResponses: w.message(11, sub)
        case .scanStatus? where Side.writesCommands: w.message(12, sub)
        case .scanStatusResponse(let finished, let count)? where Side.writesResponses:
            sub.bool(1, finished)
            sub.varint(2, UInt64(count))
            w.message(13, sub)
        case .scanResult(let start, let count)? where Side.writesCommands:
            sub.varint(1, UInt64(start))
            sub.varint(2, UInt64(count))
            w.message(14, sub)
        case .scanResultResponse(let entries)? where Side.writesResponses:
            for e in entries {
                var entry = ProtobufWriter()
                entry.bytes(1, e.ssid)
                entry.varint(2, UInt64(e.channel))
                entry.int32(3, e.rssi)
                entry.bytes(4, e.bssid)
                entry.enumValue(5, e.auth)
                sub.message(1, entry)
            }
            w.message(15, sub)
        default: break
        }
        return w.encoded
    }
}
