/// A set of heartbeat sequence numbers stored as sorted, disjoint ranges: a device that publishes
/// in order costs one range however long the run, and duplicates (QoS 1 redelivery) collapse.
/// Any `Int` may be inserted (`Int.max` included) without overflow; the number of ranges is capped
/// so that a client publishing scattered numbers cannot make one device's record grow without bound.
struct SequenceSet: Equatable, Sendable {
    /// Ranges kept at most: far more than gaps in any real run (each loss or reboot adds one).
    static let maxRanges = 65_536

    private(set) var ranges: [ClosedRange<Int>] = []

    /// What `insert` did.
    enum Insertion: Equatable {
        case inserted
        /// Already present (a duplicate).
        case present
        /// New, but not adjacent to a range while `maxRanges` ranges exist: not recorded.
        case full
    }

    /// Members, saturating at `Int.max` (0...Int.max holds one more than that).
    var count: Int {
        var total = 0
        for r in ranges {
            let (span, o1) = r.upperBound.subtractingReportingOverflow(r.lowerBound)
            let (size, o2) = span.addingReportingOverflow(1)
            let (sum, o3) = total.addingReportingOverflow(size)
            if o1 || o2 || o3 { return Int.max }
            total = sum
        }
        return total
    }

    func contains(_ seq: Int) -> Bool {
        let i = firstIndex(above: seq)
        return i > 0 && ranges[i - 1].contains(seq)
    }

    /// Adds `seq`; returns false when it was already present (a duplicate) or could not be recorded.
    @discardableResult
    mutating func insert(_ seq: Int) -> Bool { add(seq) == .inserted }

    /// Adds `seq`, saying whether it was new, present, or refused because the set is full.
    mutating func add(_ seq: Int) -> Insertion {
        // The common case: the next number after the last range.
        if let last = ranges.last, seq > last.upperBound {
            if SequenceSet.follows(seq, last.upperBound) {
                ranges[ranges.count - 1] = last.lowerBound...seq
                return .inserted
            }
            guard ranges.count < SequenceSet.maxRanges else { return .full }
            ranges.append(seq...seq)
            return .inserted
        }
        let i = firstIndex(above: seq)  // ranges[i - 1] (if any) starts at or below seq
        if i > 0 && ranges[i - 1].contains(seq) { return .present }
        let joinsLeft = i > 0 && SequenceSet.follows(seq, ranges[i - 1].upperBound)
        let joinsRight = i < ranges.count && SequenceSet.follows(ranges[i].lowerBound, seq)
        switch (joinsLeft, joinsRight) {
        case (true, true):
            ranges[i - 1] = ranges[i - 1].lowerBound...ranges[i].upperBound
            ranges.remove(at: i)
        case (true, false):
            ranges[i - 1] = ranges[i - 1].lowerBound...seq
        case (false, true):
            ranges[i] = seq...ranges[i].upperBound
        case (false, false):
            guard ranges.count < SequenceSet.maxRanges else { return .full }
            ranges.insert(seq...seq, at: i)
        }
        return .inserted
    }

    /// Members of `self` missing from `other`, in order.
    func subtracting(_ other: SequenceSet) -> [Int] {
        var out: [Int] = []
        for r in ranges { for s in r where !other.contains(s) { out.append(s) } }
        return out
    }

    /// `b` is `a + 1`, without computing `a + 1` when `a` is `Int.max`.
    private static func follows(_ b: Int, _ a: Int) -> Bool { a < Int.max && b == a + 1 }

    /// The index of the first range starting above `seq` (binary search).
    private func firstIndex(above seq: Int) -> Int {
        var lo = 0, hi = ranges.count
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            if ranges[mid].lowerBound > seq { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}
