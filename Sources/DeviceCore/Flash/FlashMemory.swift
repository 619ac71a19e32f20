/// A NOR flash as the bootloader sees it: reads and erase/write operations on the absolute address
/// space. `NORFlash` is the plain sparse chip; a host may keep image bytes elsewhere (shared by
/// many devices) as long as it reads back exactly what NOR semantics would hold.
public protocol FlashMemory {
    /// `length` bytes at `offset`.
    func read(offset: Int, length: Int) throws(FlashError) -> [UInt8]
    /// Performs one erase (whole 4 KB sectors to 0xFF) or write (bits only cleared).
    mutating func apply(_ operation: FlashOperation) throws(FlashError)
}

extension NORFlash: FlashMemory {}
