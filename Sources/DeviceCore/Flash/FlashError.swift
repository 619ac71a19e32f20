/// A flash operation the chip would refuse (`ESP_ERR_INVALID_ARG`, `ESP_ERR_INVALID_SIZE`).
public enum FlashError: Error, Equatable, Sendable {
    /// Part of `offset..<offset+length` lies outside the chip.
    case outOfRange(offset: Int, length: Int, flashSize: Int)
    /// Erase start or length is not a multiple of the 4 KB sector.
    case unalignedErase(offset: Int, length: Int)

    public var reason: String {
        switch self {
        case let .outOfRange(offset, length, size):
            return "flash access 0x" + hexString(be32(UInt32(truncatingIfNeeded: offset))) + "+" + decimal(Int64(length))
                + " outside " + decimal(Int64(size)) + " bytes"
        case let .unalignedErase(offset, length):
            return "erase 0x" + hexString(be32(UInt32(truncatingIfNeeded: offset))) + "+" + decimal(Int64(length))
                + " not sector-aligned"
        }
    }
}
