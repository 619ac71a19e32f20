/// Up to two private sectors of a `DeviceFlash` whose written bytes (without their 0xFF tail) fit
/// in 32 bytes, held inline. That is what the first boot writes (one otadata entry, 32 bytes, in
/// one of the two otadata sectors) and what every later OTA commit writes: a device at rest then
/// needs no dictionary and no heap copy of a sector (they were ~170 B a device).
/// A sector that outgrows 32 bytes, or a third small sector, goes to the dictionary instead.
struct SmallSectors: Sendable {
    /// Bytes one patch holds: an `esp_ota_select_entry_t` is 32.
    static let capacity = 32
    private var first = Patch()
    private var second = Patch()

    /// One sector's leading bytes; `index == Patch.unused` when the patch is free. 35 bytes, aligned
    /// to 4 (the bytes as `UInt32`s, a 16-bit sector index: 256 MB of flash): two take 71 bytes in
    /// every chip instead of 77 with 8-byte alignment, and the flash's size fits in their padding.
    private struct Patch: Sendable {
        static let unused = UInt16.max
        var bytes: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0, 0, 0, 0, 0)
        var index = Patch.unused
        var count: UInt8 = 0
    }

    /// The stored bytes of sector `index` (its 0xFF tail cut), nil when it is not held here.
    func bytes(ofSector index: Int) -> ArraySlice<UInt8>? {
        guard let p = patch(index) else { return nil }
        return withUnsafeBytes(of: p.bytes) { ArraySlice($0[0..<Int(p.count)]) }
    }

    /// Whether sector `index` is held here.
    func contains(_ index: Int) -> Bool { patch(index) != nil }

    /// Total bytes held (memory accounting).
    var byteCount: Int {
        (first.index == Patch.unused ? 0 : Int(first.count)) + (second.index == Patch.unused ? 0 : Int(second.count))
    }

    /// Stores `bytes` as sector `index`; false (nothing changed) when they do not fit or both
    /// patches hold other sectors.
    mutating func store(_ bytes: ArraySlice<UInt8>, sector index: Int) -> Bool {
        guard bytes.count <= Self.capacity, index >= 0, index < Int(Patch.unused) else { return false }
        var p = Patch()
        p.index = UInt16(index)
        p.count = UInt8(bytes.count)
        withUnsafeMutableBytes(of: &p.bytes) { raw in
            for (k, b) in bytes.enumerated() { raw[k] = b }
        }
        if first.index == p.index || (first.index == Patch.unused && second.index != p.index) {
            first = p
        } else if second.index == p.index || second.index == Patch.unused {
            second = p
        } else {
            return false
        }
        return true
    }

    /// Forgets sector `index`; whether it was held here.
    @discardableResult
    mutating func remove(_ index: Int) -> Bool {
        if first.index != Patch.unused && Int(first.index) == index { first = Patch(); return true }
        if second.index != Patch.unused && Int(second.index) == index { second = Patch(); return true }
        return false
    }

    private func patch(_ index: Int) -> Patch? {
        if first.index != Patch.unused && Int(first.index) == index { return first }
        if second.index != Patch.unused && Int(second.index) == index { return second }
        return nil
    }
}
