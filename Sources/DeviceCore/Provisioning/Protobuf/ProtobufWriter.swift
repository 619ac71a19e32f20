/// Writes a protobuf message (proto3 wire format) in field-number order, as protobuf-c packs it:
/// scalars equal to their default are left out, while members of a `oneof` and sub-messages are
/// always written (their presence is the information).
public struct ProtobufWriter: Sendable {
    /// The message so far.
    public private(set) var encoded: [UInt8] = []

    public init() {}

    /// A varint field; omitted when `value` is 0 unless `always`.
    public mutating func varint(_ field: Int, _ value: UInt64, always: Bool = false) {
        guard value != 0 || always else { return }
        tag(field, 0)
        appendVarint(value)
    }

    /// An `int32` field: negative values go out sign-extended to ten bytes.
    public mutating func int32(_ field: Int, _ value: Int32, always: Bool = false) {
        varint(field, UInt64(bitPattern: Int64(value)), always: always)
    }

    /// An enum field by number (negative numbers as `int32`).
    public mutating func enumValue(_ field: Int, _ value: Int, always: Bool = false) {
        int32(field, Int32(truncatingIfNeeded: value), always: always)
    }

    /// A `bool` field; omitted when false unless `always`.
    public mutating func bool(_ field: Int, _ value: Bool, always: Bool = false) {
        varint(field, value ? 1 : 0, always: always)
    }

    /// A `bytes`/`string` field; omitted when empty unless `always`.
    public mutating func bytes(_ field: Int, _ value: [UInt8], always: Bool = false) {
        guard !value.isEmpty || always else { return }
        tag(field, 2)
        appendVarint(UInt64(value.count))
        encoded.append(contentsOf: value)
    }

    /// An embedded message, always written (an empty one is a tag and a zero length).
    public mutating func message(_ field: Int, _ body: ProtobufWriter) {
        bytes(field, body.encoded, always: true)
    }

    private mutating func tag(_ field: Int, _ wireType: UInt64) {
        appendVarint(UInt64(field) << 3 | wireType)
    }

    private mutating func appendVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            encoded.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        encoded.append(UInt8(v))
    }
}
