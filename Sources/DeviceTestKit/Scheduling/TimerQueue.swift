import DeviceCore

/// A min-heap of timed entries in a fixed, replayable order: earliest instant first, and among
/// entries due at the same instant, the one scheduled first. Array-backed: after its buffer has
/// grown, pushing and popping allocate nothing.
public struct TimerQueue<Payload> {
    @usableFromInline struct Entry {
        @usableFromInline var at: Instant
        @usableFromInline var order: UInt64
        @usableFromInline var payload: Payload
    }

    @usableFromInline var heap: [Entry] = []
    @usableFromInline var scheduled: UInt64 = 0

    public init() {}

    public var isEmpty: Bool { heap.isEmpty }
    public var count: Int { heap.count }
    /// When the earliest entry is due; nil when empty.
    public var nextInstant: Instant? { heap.first?.at }

    /// Adds `payload` due at `at`.
    public mutating func push(_ payload: Payload, at: Instant) {
        scheduled &+= 1
        heap.append(Entry(at: at, order: scheduled, payload: payload))
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard Self.before(heap[i], heap[parent]) else { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    /// Removes and returns the earliest entry if it is due at or before `now`.
    public mutating func popDue(at now: Instant) -> (at: Instant, payload: Payload)? {
        guard let first = heap.first, first.at <= now else { return nil }
        return pop()
    }

    /// Removes and returns the earliest entry.
    public mutating func pop() -> (at: Instant, payload: Payload)? {
        guard !heap.isEmpty else { return nil }
        let top = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < heap.count && Self.before(heap[l], heap[m]) { m = l }
                if r < heap.count && Self.before(heap[r], heap[m]) { m = r }
                if m == i { break }
                heap.swapAt(i, m)
                i = m
            }
        }
        return (top.at, top.payload)
    }

    /// Drops every entry for which `remove` is true (order of the rest is kept).
    public mutating func removeAll(where remove: (Payload) -> Bool) {
        let kept = heap.filter { !remove($0.payload) }
        heap = []
        heap.reserveCapacity(kept.count)
        for e in kept.sorted(by: Self.before) { heap.append(e) }  // a sorted array is a heap
    }

    @inline(__always) @usableFromInline
    static func before(_ a: Entry, _ b: Entry) -> Bool {
        a.at < b.at || (a.at == b.at && a.order < b.order)
    }
}
