/// What every flash model does before touching bytes: the range and alignment checks of an access,
/// and how the access splits over 4 KB sectors. One place, so `NORFlash` and host-side models
/// (SimFleet's `DeviceFlash`) cannot drift apart on NOR semantics.
public enum FlashAccess {
    /// Throws `.outOfRange` unless `offset..<offset+length` lies inside a chip of `flashSize` bytes.
    public static func checkRange(offset: Int, length: Int, flashSize: Int) throws(FlashError) {
        if offset < 0 || length < 0 || offset > flashSize || length > flashSize - offset {
            throw .outOfRange(offset: offset, length: length, flashSize: flashSize)
        }
    }

    /// The sector indices an erase covers, after the range check and the whole-sector check.
    public static func erasedSectors(offset: Int, length: Int, flashSize: Int) throws(FlashError) -> Range<Int> {
        try checkRange(offset: offset, length: length, flashSize: flashSize)
        if offset % NORFlash.sectorSize != 0 || length % NORFlash.sectorSize != 0 {
            throw .unalignedErase(offset: offset, length: length)
        }
        return (offset / NORFlash.sectorSize)..<((offset + length) / NORFlash.sectorSize)
    }

    /// Calls `body(sector, start, count, done)` for each piece of `offset..<offset+length` in order:
    /// `count` bytes of sector `sector` from byte `start`, being bytes `done..<done+count` of the access.
    @inline(__always)
    public static func forEachSpan(offset: Int, length: Int,
                                   _ body: (_ sector: Int, _ start: Int, _ count: Int, _ done: Int) -> Void) {
        var done = 0
        while done < length {
            let pos = offset + done
            let start = pos % NORFlash.sectorSize
            let count = min(NORFlash.sectorSize - start, length - done)
            body(pos / NORFlash.sectorSize, start, count, done)
            done += count
        }
    }
}
