/// A binary min-heap of deadlines with at most one entry per slot (a device's `nextDeadline`),
/// so rescheduling a device is O(log n) and a reactor never scans its whole shard.
struct TimerHeap {
    private var deadlines: [Int64] = []
    private var slots: [Int32] = []
    /// Heap index of each slot's entry, -1 when the slot has no deadline.
    private var position: [Int32] = []

    var isEmpty: Bool { slots.isEmpty }
    var count: Int { slots.count }

    /// The earliest deadline and its slot.
    var first: (deadline: Int64, slot: Int32)? {
        slots.isEmpty ? nil : (deadlines[0], slots[0])
    }

    /// Room for slots `0..<count`, each with a deadline, without growth.
    mutating func reserve(slots count: Int) {
        deadlines.reserveCapacity(count)
        slots.reserveCapacity(count)
        position.reserveCapacity(count)
    }

    /// Sets (or moves) `slot`'s deadline; nil removes it.
    mutating func set(_ slot: Int32, to deadline: Int64?) {
        let s = Int(slot)
        if s >= position.count { position.append(contentsOf: repeatElement(-1, count: s - position.count + 1)) }
        let at = Int(position[s])
        guard let deadline else {
            if at >= 0 { removeAt(at) }
            return
        }
        if at < 0 {
            deadlines.append(deadline)
            slots.append(slot)
            position[s] = Int32(slots.count - 1)
            siftUp(slots.count - 1)
        } else if deadline != deadlines[at] {
            let earlier = deadline < deadlines[at]
            deadlines[at] = deadline
            if earlier { siftUp(at) } else { siftDown(at) }
        }
    }

    /// Removes and returns the earliest entry if it is due at `now`.
    mutating func popDue(now: Int64) -> Int32? {
        guard let top = first, top.deadline <= now else { return nil }
        removeAt(0)
        return top.slot
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

    private mutating func swapAt(_ a: Int, _ b: Int) {
        deadlines.swapAt(a, b)
        slots.swapAt(a, b)
        position[Int(slots[a])] = Int32(a)
        position[Int(slots[b])] = Int32(b)
    }

    private mutating func siftUp(_ start: Int) {
        var i = start
        while i > 0 {
            let parent = (i - 1) / 2
            if deadlines[i] >= deadlines[parent] { return }
            swapAt(i, parent)
            i = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var i = start
        let n = slots.count
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < n && deadlines[l] < deadlines[m] { m = l }
            if r < n && deadlines[r] < deadlines[m] { m = r }
            if m == i { return }
            swapAt(i, m)
            i = m
        }
    }
}
