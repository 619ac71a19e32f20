/// A SPI NOR flash chip as a value: erase sets whole 4 KB sectors to 0xFF, a write can only clear
/// bits (`new = old & data`). Sparse: only sectors ever touched are stored, the rest read 0xFF.
public struct NORFlash: Equatable, Sendable {
    public static let sectorSize = 4096

    public let size: Int
    private var sectors: [Int: [UInt8]] = [:]

    /// An erased chip of `size` bytes (8 MB on the reference hardware).
    public init(size: Int = 8 * 1024 * 1024) {
        precondition(size > 0 && size % Self.sectorSize == 0, "flash size must be whole sectors")
        self.size = size
    }

    /// Number of sectors holding stored data (for tests and memory accounting).
    public var storedSectorCount: Int { sectors.count }

    /// Reads `length` bytes at `offset`.
    public func read(offset: Int, length: Int) throws(FlashError) -> [UInt8] {
        try FlashAccess.checkRange(offset: offset, length: length, flashSize: size)
        var out: [UInt8] = []
        out.reserveCapacity(length)
        FlashAccess.forEachSpan(offset: offset, length: length) { index, start, n, _ in
            if let sector = sectors[index] {
                out.append(contentsOf: sector[start..<(start + n)])
            } else {
                out.append(contentsOf: repeatElement(UInt8(0xFF), count: n))
            }
        }
        return out
    }

    /// Erases whole sectors to 0xFF.
    public mutating func erase(offset: Int, length: Int) throws(FlashError) {
        for index in try FlashAccess.erasedSectors(offset: offset, length: length, flashSize: size) {
            sectors[index] = nil
        }
    }

    /// Programs bytes: each stored bit can only go from 1 to 0.
    public mutating func write(offset: Int, bytes: [UInt8]) throws(FlashError) {
        try FlashAccess.checkRange(offset: offset, length: bytes.count, flashSize: size)
        FlashAccess.forEachSpan(offset: offset, length: bytes.count) { index, start, n, done in
            var sector = sectors[index] ?? [UInt8](repeating: 0xFF, count: Self.sectorSize)
            for k in 0..<n { sector[start + k] &= bytes[done + k] }
            sectors[index] = sector
        }
    }

    /// Performs one operation as the host would for an `Action.flash`.
    public mutating func apply(_ operation: FlashOperation) throws(FlashError) {
        switch operation {
        case let .erase(offset, length): try erase(offset: offset, length: length)
        case let .write(offset, bytes): try write(offset: offset, bytes: bytes)
        }
    }

    /// Performs the first part of an operation and then loses power: a write programs only its first
    /// `fraction` of bytes; an erase clears that fraction of its sectors and leaves the next sector
    /// half-erased (its first half 0xFF, the rest as it was). `fraction` is in 0...1 as n/d.
    public mutating func applyInterrupted(_ operation: FlashOperation, numerator: Int, denominator: Int) throws(FlashError) {
        switch operation {
        case let .write(offset, bytes):
            try write(offset: offset, bytes: Array(bytes.prefix(bytes.count * numerator / denominator)))
        case let .erase(offset, length):
            try FlashAccess.checkRange(offset: offset, length: length, flashSize: size)
            let total = length / Self.sectorSize
            let done = total * numerator / denominator
            if done > 0 { try erase(offset: offset, length: done * Self.sectorSize) }
            if done < total {
                let start = offset + done * Self.sectorSize
                var sector = try read(offset: start, length: Self.sectorSize)
                for k in 0..<(Self.sectorSize / 2) { sector[k] = 0xFF }
                sectors[start / Self.sectorSize] = sector
            }
        }
    }
}
