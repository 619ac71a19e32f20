/// Why bytes are not a valid protobuf message of the expected type. The codec is bounded: it
/// refuses messages over its size limit, nesting past its depth limit, and lists past their cap.
public enum ProtobufError: Error, Equatable, Sendable {
    /// The message is longer than the limit (protocomm's httpd transport reads at most 4096 bytes).
    case tooLarge(limit: Int)
    /// The bytes end inside a tag, a varint or a length-delimited value.
    case truncated
    /// A varint longer than 10 bytes, or one that overflows 64 bits.
    case malformedVarint
    /// Field number 0 or above 2^29 - 1.
    case invalidFieldNumber
    /// Wire types 3 and 4 (groups, gone from proto3) and 6, 7 (undefined).
    case unsupportedWireType(field: Int, wireType: Int)
    /// A known field sent with the wrong wire type (bytes where a number belongs, or the reverse).
    case wrongWireType(field: Int, expected: Int, got: Int)
    /// Messages nested deeper than the schema allows.
    case tooDeep(limit: Int)
    /// A repeated field with more entries than the codec keeps.
    case tooManyEntries(field: Int, limit: Int)

    /// A short human-readable reason, for logs and error bodies.
    public var reason: String {
        switch self {
        case .tooLarge(let limit): return "protobuf message larger than " + decimal(Int64(limit)) + " bytes"
        case .truncated: return "protobuf message truncated"
        case .malformedVarint: return "protobuf varint malformed"
        case .invalidFieldNumber: return "protobuf field number out of range"
        case .unsupportedWireType(let field, let wireType):
            return "protobuf field " + decimal(Int64(field)) + " has unsupported wire type " + decimal(Int64(wireType))
        case .wrongWireType(let field, let expected, let got):
            return "protobuf field " + decimal(Int64(field)) + " has wire type " + decimal(Int64(got)) + ", expected "
                + decimal(Int64(expected))
        case .tooDeep(let limit): return "protobuf messages nested deeper than " + decimal(Int64(limit))
        case .tooManyEntries(let field, let limit):
            return "protobuf field " + decimal(Int64(field)) + " repeated more than " + decimal(Int64(limit)) + " times"
        }
    }
}
