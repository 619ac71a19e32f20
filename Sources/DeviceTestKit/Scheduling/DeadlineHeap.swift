import DeviceCore

/// One deadline per numbered slot (a device's `nextDeadline`), in a 4-ary min-heap with a
/// position index: setting, moving or clearing a slot's deadline is O(log n) and allocates
/// nothing once the slots exist. Ties go to the lower slot number, so a run replays exactly (the
/// order is total: any correct heap pops the same sequence). The shape for fleets: ten thousand
/// devices, one entry each, no closures. Four children per node rather than two: a heartbeat
/// moves the earliest entry to the back of the queue, down the whole height of the heap, and
/// half as many levels, each reading four adjacent 16-byte siblings, touch fewer cache lines.
public struct DeadlineHeap {
    private struct Entry {
        var deadline: Int64
        var slot: Int32
    }

    private var entries: [Entry] = []
    /// Heap index of each slot's entry, -1 when the slot has no deadline.
    private var position: [Int32] = []

    public init(capacity: Int = 0) {
        entries.reserveCapacity(capacity)
        position.reserveCapacity(capacity)
    }

    public var isEmpty: Bool { entries.isEmpty }
    public var count: Int { entries.count }

    /// The earliest deadline and its slot.
    @inline(__always)
    public var first: (deadline: Instant, slot: Int)? {
        entries.isEmpty ? nil : (Instant(microseconds: entries[0].deadline), Int(entries[0].slot))
    }

    /// The slot's deadline, nil when it has none.
    public func deadline(of slot: Int) -> Instant? {
        guard slot < position.count, position[slot] >= 0 else { return nil }
        return Instant(microseconds: entries[Int(position[slot])].deadline)
    }

    /// Sets (or moves) `slot`'s deadline; nil removes it.
    public mutating func set(_ slot: Int, to deadline: Instant?) {
        if slot >= position.count { position.append(contentsOf: repeatElement(-1, count: slot - position.count + 1)) }
        let at = Int(position[slot])
        guard let deadline else {
            if at >= 0 { removeAt(at) }
            return
        }
        let entry = Entry(deadline: deadline.microseconds, slot: Int32(slot))
        if at >= 0 {
            let old = entries[at].deadline
            if entry.deadline < old {
                siftUp(entry, from: at)
            } else if entry.deadline > old {
                siftDown(entry, from: at)
            }
        } else {
            entries.append(entry)
            siftUp(entry, from: entries.count - 1)
        }
    }

    private mutating func removeAt(_ i: Int) {
        position[Int(entries[i].slot)] = -1
        let last = entries.removeLast()
        guard i < entries.count else { return }
        if i > 0 && Self.less(last, entries[(i - 1) / 4]) { siftUp(last, from: i) } else { siftDown(last, from: i) }
    }

    @inline(__always)
    private static func less(_ a: Entry, _ b: Entry) -> Bool {
        a.deadline < b.deadline || (a.deadline == b.deadline && a.slot < b.slot)
    }

    /// Places `entry` at hole `start` and moves it up: parents move down into the hole, one write each.
    private mutating func siftUp(_ entry: Entry, from start: Int) {
        var i = start
        while i > 0 {
            let parent = (i - 1) / 4
            let p = entries[parent]
            guard Self.less(entry, p) else { break }
            entries[i] = p
            position[Int(p.slot)] = Int32(i)
            i = parent
        }
        entries[i] = entry
        position[Int(entry.slot)] = Int32(i)
    }

    /// Places `entry` at hole `start` and moves it down: the smallest child moves up into the hole.
    private mutating func siftDown(_ entry: Entry, from start: Int) {
        var i = start
        let n = entries.count
        while true {
            let first = 4 * i + 1
            guard first < n else { break }
            var child = first
            var c = entries[first]
            for k in (first + 1)..<min(first + 4, n) where Self.less(entries[k], c) {
                child = k
                c = entries[k]
            }
            guard Self.less(c, entry) else { break }
            entries[i] = c
            position[Int(c.slot)] = Int32(i)
            i = child
        }
        entries[i] = entry
        position[Int(entry.slot)] = Int32(i)
    }
}
