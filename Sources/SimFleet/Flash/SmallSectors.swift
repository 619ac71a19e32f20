import Synchronization

/// Up to two private sectors of a `DeviceFlash` whose written bytes (without their 0xFF tail) fit
/// in 32 bytes. That is what the first boot writes (one otadata entry, 32 bytes, in one of the two
/// otadata sectors) and what every later OTA commit writes: a device at rest then needs no
/// dictionary and no heap copy of a sector (they were ~170 B a device).
/// A sector that outgrows 32 bytes, or a third small sector, goes to the dictionary instead.
///
/// The two patches are one immutable, interned `Pair`: a fleet's devices write the same otadata
/// (the first boot's entry, then the same entries after the same update), so they point at a few
/// shared pairs, one word a device instead of 72 bytes inline.
struct SmallSectors: Sendable {
    /// Bytes one patch holds: an `esp_ota_select_entry_t` is 32.
    static let capacity = 32
    /// nil while nothing is held.
    private var pair: Pair?

    /// One sector's leading bytes; `index == Patch.unused` when the patch is free.
    private struct Patch: Hashable, Sendable {
        static let unused = UInt16.max
        var bytes: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0, 0, 0, 0, 0)
        var index = Patch.unused
        var count: UInt8 = 0

        var isUsed: Bool { index != Patch.unused }

        static func == (a: Patch, b: Patch) -> Bool {
            a.index == b.index && a.count == b.count
                && withUnsafeBytes(of: a.bytes) { x in withUnsafeBytes(of: b.bytes) { y in x.elementsEqual(y) } }
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(index)
            hasher.combine(count)
            withUnsafeBytes(of: bytes) { hasher.combine(bytes: $0) }
        }
    }

    /// Both patches, never changed after it is made: a write makes (or finds) another pair.
    private final class Pair: Sendable {
        let first: Patch
        let second: Patch
        init(_ first: Patch, _ second: Patch) {
            self.first = first
            self.second = second
        }
    }

    private struct PairKey: Hashable {
        let first: Patch
        let second: Patch
    }

    /// The pairs devices share, process-wide (every reactor's devices write the same entries).
    /// Bounded: past `internLimit` distinct pairs a write keeps its own pair, as before interning.
    private static let interned = Mutex<[PairKey: Pair]>([:])
    static let internLimit = 1024

    /// The shared pair holding `first` and `second`, nil when both are free.
    private static func pair(_ first: Patch, _ second: Patch) -> Pair? {
        guard first.isUsed || second.isUsed else { return nil }
        let key = PairKey(first: first, second: second)
        return interned.withLock { table in
            if let shared = table[key] { return shared }
            let made = Pair(first, second)
            if table.count < internLimit { table[key] = made }
            return made
        }
    }

    /// Distinct pairs interned so far (tests).
    static var internedCount: Int { interned.withLock { $0.count } }

    /// Whether `other` holds this very pair (tests: devices that wrote alike share one).
    func sharesStorage(with other: SmallSectors) -> Bool { pair != nil && pair === other.pair }

    private var first: Patch { pair?.first ?? Patch() }
    private var second: Patch { pair?.second ?? Patch() }

    /// The stored bytes of sector `index` (its 0xFF tail cut), nil when it is not held here.
    func bytes(ofSector index: Int) -> ArraySlice<UInt8>? {
        guard let p = patch(index) else { return nil }
        return withUnsafeBytes(of: p.bytes) { ArraySlice($0[0..<Int(p.count)]) }
    }

    /// Whether sector `index` is held here.
    func contains(_ index: Int) -> Bool { patch(index) != nil }

    /// Total bytes held (memory accounting).
    var byteCount: Int {
        guard let pair else { return 0 }
        return (pair.first.isUsed ? Int(pair.first.count) : 0) + (pair.second.isUsed ? Int(pair.second.count) : 0)
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
        let (first, second) = (self.first, self.second)
        if first.index == p.index || (!first.isUsed && second.index != p.index) {
            pair = Self.pair(p, second)
        } else if second.index == p.index || !second.isUsed {
            pair = Self.pair(first, p)
        } else {
            return false
        }
        return true
    }

    /// Forgets sector `index`; whether it was held here.
    @discardableResult
    mutating func remove(_ index: Int) -> Bool {
        let (first, second) = (self.first, self.second)
        if first.isUsed && Int(first.index) == index { pair = Self.pair(Patch(), second); return true }
        if second.isUsed && Int(second.index) == index { pair = Self.pair(first, Patch()); return true }
        return false
    }

    private func patch(_ index: Int) -> Patch? {
        guard let pair else { return nil }
        if pair.first.isUsed && Int(pair.first.index) == index { return pair.first }
        if pair.second.isUsed && Int(pair.second.index) == index { return pair.second }
        return nil
    }
}
