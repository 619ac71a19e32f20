/// A set of heartbeat sequence numbers stored as sorted, disjoint ranges: a device that publishes
/// in order costs one range however long the run, and duplicates (QoS 1 redelivery) collapse.
struct SequenceSet: Equatable, Sendable {
    private(set) var ranges: [ClosedRange<Int>] = []

    var count: Int { ranges.reduce(0) { $0 + $1.count } }

    func contains(_ seq: Int) -> Bool {
        var lo = 0, hi = ranges.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            if ranges[mid].upperBound < seq { lo = mid + 1 } else if ranges[mid].lowerBound > seq { hi = mid - 1 } else { return true }
        }
        return false
    }

    /// Adds `seq`; returns false when it was already present (a duplicate).
    @discardableResult
    mutating func insert(_ seq: Int) -> Bool {
        if let last = ranges.last {
            if seq == last.upperBound + 1 {
                ranges[ranges.count - 1] = last.lowerBound...seq
                return true
            }
            if seq > last.upperBound + 1 {
                ranges.append(seq...seq)
                return true
            }
        } else {
            ranges.append(seq...seq)
            return true
        }
        if contains(seq) { return false }
        var i = ranges.firstIndex(where: { $0.lowerBound > seq }) ?? ranges.count
        ranges.insert(seq...seq, at: i)
        if i > 0 && ranges[i - 1].upperBound + 1 == seq {
            ranges[i - 1] = ranges[i - 1].lowerBound...seq
            ranges.remove(at: i)
            i -= 1
        }
        if i + 1 < ranges.count && ranges[i + 1].lowerBound == ranges[i].upperBound + 1 {
            ranges[i] = ranges[i].lowerBound...ranges[i + 1].upperBound
            ranges.remove(at: i + 1)
        }
        return true
    }

    /// Members of `self` missing from `other`, in order.
    func subtracting(_ other: SequenceSet) -> [Int] {
        var out: [Int] = []
        for r in ranges { for s in r where !other.contains(s) { out.append(s) } }
        return out
    }
}
