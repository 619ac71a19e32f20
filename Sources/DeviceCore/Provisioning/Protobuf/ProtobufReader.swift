/// Reads the fields of one protobuf message (proto3 wire format) from bytes without copying them.
/// Bounded: the top-level message is checked against a size limit, nested messages against a depth
/// limit, and every length against what is left. Unknown fields of a valid wire type are skipped,
/// as protobuf (and ESP-IDF's protobuf-c) require, so newer clients keep working.
public struct ProtobufReader: Sendable {
    /// Largest message read: protocomm's httpd transport takes at most 4096 body bytes.
    public static let maxMessageBytes = 4096
    /// Deepest nesting the provisioning schema uses (payload → message → sub-message), plus one.
    public static let maxDepth = 4

    /// The wire types proto3 uses.
    public enum WireType: Int, Sendable {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5
    }

    /// One field as read: its number and where its value is.
    public struct Field: Sendable {
        public let number: Int
        public let wireType: WireType
        /// The varint (or fixed) value; 0 for length-delimited fields.
        let scalar: UInt64
        /// The value's bytes in the reader's buffer (length-delimited fields only).
        let range: Range<Int>
    }

    let buffer: [UInt8]
    private(set) var index: Int
    let end: Int
    let depth: Int

    /// A reader over a whole message; throws `.tooLarge` past `limit`.
    public init(_ bytes: [UInt8], limit: Int = ProtobufReader.maxMessageBytes) throws(ProtobufError) {
        guard bytes.count <= limit else { throw .tooLarge(limit: limit) }
        self.buffer = bytes
        self.index = 0
        self.end = bytes.count
        self.depth = 0
    }

    private init(bytes: [UInt8], range: Range<Int>, depth: Int) {
        self.buffer = bytes
        self.index = range.lowerBound
        self.end = range.upperBound
        self.depth = depth
    }

    /// The next field, or nil at the end of the message.
    public mutating func next() throws(ProtobufError) -> Field? {
        guard index < end else { return nil }
        let key = try varint()
        let number = key >> 3
        guard number >= 1, number <= 0x1FFF_FFFF else { throw .invalidFieldNumber }
        let raw = Int(key & 7)
        guard let wireType = WireType(rawValue: raw) else {
            throw .unsupportedWireType(field: Int(number), wireType: raw)
        }
        switch wireType {
        case .varint:
            return Field(number: Int(number), wireType: wireType, scalar: try varint(), range: 0..<0)
        case .fixed64, .fixed32:
            let width = wireType == .fixed64 ? 8 : 4
            guard end - index >= width else { throw .truncated }
            var value: UInt64 = 0
            for i in 0..<width { value |= UInt64(buffer[index + i]) << UInt64(8 * i) }
            index += width
            return Field(number: Int(number), wireType: wireType, scalar: value, range: 0..<0)
        case .lengthDelimited:
            let length = try varint()
            guard length <= UInt64(end - index) else { throw .truncated }
            let start = index
            index += Int(length)
            return Field(number: Int(number), wireType: wireType, scalar: 0, range: start..<index)
        }
    }

    /// A base-128 varint of at most 10 bytes.
    private mutating func varint() throws(ProtobufError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard index < end else { throw .truncated }
            let byte = buffer[index]
            index += 1
            if shift == 63 && byte > 1 { throw .malformedVarint }
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
            if shift > 63 { throw .malformedVarint }
        }
    }

    // MARK: - Typed values of a field

    /// An unsigned varint (uint32/uint64/enum/bool on the wire).
    public func varint(_ field: Field) throws(ProtobufError) -> UInt64 {
        guard field.wireType == .varint else {
            throw .wrongWireType(field: field.number, expected: WireType.varint.rawValue, got: field.wireType.rawValue)
        }
        return field.scalar
    }

    /// `int32`: the low 32 bits of the varint, as protobuf truncates (negatives arrive sign-extended).
    public func int32(_ field: Field) throws(ProtobufError) -> Int32 {
        Int32(truncatingIfNeeded: try varint(field))
    }

    /// `uint32`: the low 32 bits of the varint.
    public func uint32(_ field: Field) throws(ProtobufError) -> UInt32 {
        UInt32(truncatingIfNeeded: try varint(field))
    }

    /// `bool`: any non-zero varint is true.
    public func bool(_ field: Field) throws(ProtobufError) -> Bool {
        try varint(field) != 0
    }

    /// An enum value as its number (proto3 enums are open: unknown numbers are kept).
    public func enumValue(_ field: Field) throws(ProtobufError) -> Int {
        Int(Int32(truncatingIfNeeded: try varint(field)))
    }

    /// `bytes` or `string`: a copy of the value.
    public func bytes(_ field: Field) throws(ProtobufError) -> [UInt8] {
        try requireLengthDelimited(field)
        return Array(buffer[field.range])
    }

    /// A reader over an embedded message, one level deeper.
    public func message(_ field: Field) throws(ProtobufError) -> ProtobufReader {
        try requireLengthDelimited(field)
        guard depth + 1 < ProtobufReader.maxDepth else { throw .tooDeep(limit: ProtobufReader.maxDepth) }
        return ProtobufReader(bytes: buffer, range: field.range, depth: depth + 1)
    }

    private func requireLengthDelimited(_ field: Field) throws(ProtobufError) {
        guard field.wireType == .lengthDelimited else {
            throw .wrongWireType(field: field.number, expected: WireType.lengthDelimited.rawValue,
                                 got: field.wireType.rawValue)
        }
    }
}
