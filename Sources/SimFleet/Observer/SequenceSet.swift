/// A set of heartbeat sequence numbers stored as sorted, disjoint ranges: a device that publishes
/// in order costs one range however long the run, and duplicates (QoS 1 redelivery) collapse.
/// Any `Int` may be inserted (`Int.max` included) without overflow; the number of ranges is capped
/// so that a client publishing scattered numbers cannot make one device's record grow without bound.
struct SequenceSet: Equatable, Sendable {
    /// Ranges kept at most: far more than gaps in any real run (each loss or reboot adds one).
    static let maxRanges = 65_536

    /// Every range below `highest`, sorted and disjoint.
    private var lower: [ClosedRange<Int>] = []
    /// The highest range, in line: the next number in order only moves its upper bound, without a
    /// trip to the array's heap buffer (each heartbeat adds to two sets of its device).
    private var highest: ClosedRange<Int>? {
        get { topLower <= topUpper ? topLower...topUpper : nil }
        set { (topLower, topUpper) = newValue.map { ($0.lowerBound, $0.upperBound) } ?? (1, 0) }
    }
    /// `highest`'s bounds; empty as (1, 0). Two words, where an optional range takes three with its
    /// padding: a set lives in every device's host and in the observer's table for every device.
    private var topLower = 1
    private var topUpper = 0

    /// The members as sorted, disjoint ranges.
    var ranges: [ClosedRange<Int>] { highest.map { lower + [$0] } ?? lower }

    private var rangeCount: Int { lower.count + (highest == nil ? 0 : 1) }

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
        if let highest, seq >= highest.lowerBound { return seq <= highest.upperBound }
        let i = firstIndex(above: seq)
        return i > 0 && lower[i - 1].contains(seq)
    }

    /// Adds `seq`; returns false when it was already present (a duplicate) or could not be recorded.
    @discardableResult
    mutating func insert(_ seq: Int) -> Bool { add(seq) == .inserted }

    /// Adds `seq`, saying whether it was new, present, or refused because the set is full.
    mutating func add(_ seq: Int) -> Insertion {
        guard let top = highest else {
            highest = seq...seq
            return .inserted
        }
        // The common case: the next number after the highest range, or one past a gap.
        if seq > top.upperBound {
            if SequenceSet.follows(seq, top.upperBound) {
                highest = top.lowerBound...seq
                return .inserted
            }
            guard rangeCount < SequenceSet.maxRanges else { return .full }
            lower.append(top)
            highest = seq...seq
            return .inserted
        }
        if seq >= top.lowerBound { return .present }
        // Below the highest range: its right neighbour is `lower[i]`, or `highest` past the end.
        let i = firstIndex(above: seq)  // lower[i - 1] (if any) starts at or below seq
        if i > 0 && lower[i - 1].contains(seq) { return .present }
        let joinsLeft = i > 0 && SequenceSet.follows(seq, lower[i - 1].upperBound)
        let right = i < lower.count ? lower[i] : top
        let joinsRight = SequenceSet.follows(right.lowerBound, seq)
        switch (joinsLeft, joinsRight) {
        case (true, true):
            if i < lower.count {
                lower[i - 1] = lower[i - 1].lowerBound...right.upperBound
                lower.remove(at: i)
            } else {
                highest = lower[i - 1].lowerBound...top.upperBound
                lower.removeLast()
            }
        case (true, false):
            lower[i - 1] = lower[i - 1].lowerBound...seq
        case (false, true):
            if i < lower.count { lower[i] = seq...right.upperBound } else { highest = seq...top.upperBound }
        case (false, false):
            guard rangeCount < SequenceSet.maxRanges else { return .full }
            lower.insert(seq...seq, at: i)
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

    /// The index of the first range of `lower` starting above `seq` (binary search).
    private func firstIndex(above seq: Int) -> Int {
        var lo = 0, hi = lower.count
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            if lower[mid].lowerBound > seq { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}
