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

    /// Both patches by value: what a pair holds and what the intern table is keyed by.
    private struct Patches: Hashable {
        var first = Patch()
        var second = Patch()
    }

    /// Both patches, never changed after it is made: a write makes (or finds) another pair.
    private final class Pair: Sendable {
        let patches: Patches
        init(_ patches: Patches) { self.patches = patches }
    }

    /// The pairs devices share, process-wide (every reactor's devices write the same entries).
    /// Bounded: past `internLimit` distinct pairs a write keeps its own pair, as before interning.
    private static let interned = Mutex<[Patches: Pair]>([:])
    static let internLimit = 1024

    /// The shared pair holding `patches`, nil when both are free.
    private static func pair(_ patches: Patches) -> Pair? {
        guard patches.first.isUsed || patches.second.isUsed else { return nil }
        return interned.withLock { table in
            if let shared = table[patches] { return shared }
            let made = Pair(patches)
            if table.count < internLimit { table[patches] = made }
            return made
        }
    }

    /// Whether `other` holds this very pair (tests: devices that wrote alike share one).
    func sharesStorage(with other: SmallSectors) -> Bool { pair != nil && pair === other.pair }

    private var patches: Patches { pair?.patches ?? Patches() }

    /// The stored bytes of sector `index` (its 0xFF tail cut), nil when it is not held here.
    func bytes(ofSector index: Int) -> ArraySlice<UInt8>? {
        guard let p = patch(index) else { return nil }
        return withUnsafeBytes(of: p.bytes) { ArraySlice($0[0..<Int(p.count)]) }
    }

    /// Whether sector `index` is held here.
    func contains(_ index: Int) -> Bool { patch(index) != nil }

    /// Total bytes held (memory accounting).
    var byteCount: Int {
        let (first, second) = (patches.first, patches.second)
        return (first.isUsed ? Int(first.count) : 0) + (second.isUsed ? Int(second.count) : 0)
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
        var both = patches
        if both.first.index == p.index || (!both.first.isUsed && both.second.index != p.index) {
            both.first = p
        } else if both.second.index == p.index || !both.second.isUsed {
            both.second = p
        } else {
            return false
        }
        pair = Self.pair(both)
        return true
    }

    /// Forgets sector `index`; whether it was held here.
    @discardableResult
    mutating func remove(_ index: Int) -> Bool {
        var both = patches
        if both.first.isUsed && Int(both.first.index) == index {
            both.first = Patch()
        } else if both.second.isUsed && Int(both.second.index) == index {
            both.second = Patch()
        } else {
            return false
        }
        pair = Self.pair(both)
        return true
    }

    private func patch(_ index: Int) -> Patch? {
        guard let both = pair?.patches else { return nil }
        if both.first.isUsed && Int(both.first.index) == index { return both.first }
        if both.second.isUsed && Int(both.second.index) == index { return both.second }
        return nil
    }
}
