import DeviceCore

/// One deadline per numbered slot (a device's `nextDeadline`), in a binary min-heap with a
/// position index: setting, moving or clearing a slot's deadline is O(log n) and allocates
/// nothing once the slots exist. Ties go to the lower slot number, so a run replays exactly.
/// The shape for fleets: ten thousand devices, one entry each, no closures.
public struct DeadlineHeap {
    private var deadlines: [Int64] = []
    private var slots: [Int32] = []
    /// Heap index of each slot's entry, -1 when the slot has no deadline.
    private var position: [Int32] = []

    public init(capacity: Int = 0) {
        deadlines.reserveCapacity(capacity)
        slots.reserveCapacity(capacity)
        position.reserveCapacity(capacity)
    }

    public var isEmpty: Bool { slots.isEmpty }
    public var count: Int { slots.count }

    /// The earliest deadline and its slot.
    @inline(__always)
    public var first: (deadline: Instant, slot: Int)? {
        slots.isEmpty ? nil : (Instant(microseconds: deadlines[0]), Int(slots[0]))
    }

    /// The slot's deadline, nil when it has none.
    public func deadline(of slot: Int) -> Instant? {
        guard slot < position.count, position[slot] >= 0 else { return nil }
        return Instant(microseconds: deadlines[Int(position[slot])])
    }

    /// Sets (or moves) `slot`'s deadline; nil removes it.
    public mutating func set(_ slot: Int, to deadline: Instant?) {
        if slot >= position.count { position.append(contentsOf: repeatElement(-1, count: slot - position.count + 1)) }
        let at = Int(position[slot])
        guard let deadline else {
            if at >= 0 { removeAt(at) }
            return
        }
        let value = deadline.microseconds
        if at >= 0 {
            let old = deadlines[at]
            deadlines[at] = value
            if value < old { siftUp(at) } else if value > old { siftDown(at) }
        } else {
            deadlines.append(value)
            slots.append(Int32(slot))
            position[slot] = Int32(slots.count - 1)
            siftUp(slots.count - 1)
        }
    }

    private mutating func removeAt(_ i: Int) {
        let last = slots.count - 1
        position[Int(slots[i])] = -1
        if i != last {
            deadlines[i] = deadlines[last]
            slots[i] = slots[last]
            position[Int(slots[i])] = Int32(i)
        }
        deadlines.removeLast()
        slots.removeLast()
        if i < slots.count {
            siftUp(i)
            siftDown(i)
        }
    }

    @inline(__always)
    private func less(_ a: Int, _ b: Int) -> Bool {
        deadlines[a] < deadlines[b] || (deadlines[a] == deadlines[b] && slots[a] < slots[b])
    }

    private mutating func swapEntries(_ a: Int, _ b: Int) {
        deadlines.swapAt(a, b)
        slots.swapAt(a, b)
        position[Int(slots[a])] = Int32(a)
        position[Int(slots[b])] = Int32(b)
    }

    private mutating func siftUp(_ start: Int) {
        var i = start
        while i > 0 {
            let parent = (i - 1) / 2
            guard less(i, parent) else { return }
            swapEntries(i, parent)
            i = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var i = start
        let n = slots.count
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < n && less(l, m) { m = l }
            if r < n && less(r, m) { m = r }
            if m == i { return }
            swapEntries(i, m)
            i = m
        }
    }
}
