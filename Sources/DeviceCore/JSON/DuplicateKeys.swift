/// Finding a repeated key among an object's members (`{"url":"a","url":"b"}` has no single meaning).
/// Keys compare as Swift strings, as the readers of a parsed object look them up. Small objects
/// (the commands a device gets) are checked pair by pair; larger ones by sorting the member indices
/// by key, so an object of n keys costs O(n log n) comparisons however its keys were chosen (every
/// pair of 100,000 keys would be 5·10⁹).
enum DuplicateKeys {
    /// Up to this many members every pair is compared (at most 28 comparisons, no allocation).
    static let pairwiseLimit = 8

    /// The key whose second occurrence comes earliest in the object, nil when all keys differ.
    /// `comparisons` counts the key comparisons made (a test bounds it).
    @inline(never)
    static func first(in members: [JSONMember], comparisons: inout Int) -> String? {
        let n = members.count
        guard n > 1 else { return nil }
        if n <= pairwiseLimit {
            for j in 1..<n {
                for i in 0..<j {
                    comparisons += 1
                    if members[i].key == members[j].key { return members[j].key }
                }
            }
            return nil
        }
        var order = Array(0..<n)
        var count = 0
        heapSort(&order) { a, b in
            count += 1
            return members[a].key < members[b].key
        }
        // Each run of equal keys is one key repeated; its second occurrence is the run's second
        // smallest index (whatever order the sort left the run in).
        var earliestRepeat: Int? = nil
        var start = 0
        while start < n {
            var first = order[start], second: Int? = nil
            var end = start + 1
            while end < n {
                count += 1
                guard members[order[end]].key == members[order[start]].key else { break }
                let index = order[end]
                if index < first { second = first; first = index } else if second.map({ index < $0 }) ?? true { second = index }
                end += 1
            }
            if let second, earliestRepeat.map({ second < $0 }) ?? true { earliestRepeat = second }
            start = end
        }
        comparisons += count
        return earliestRepeat.map { members[$0].key }
    }

    /// In-place heapsort: O(n log n) comparisons in the worst case, no extra memory, and far less
    /// code on the chip than the standard library's sort.
    static func heapSort(_ a: inout [Int], by less: (Int, Int) -> Bool) {
        func siftDown(_ start: Int, _ end: Int) {
            var root = start
            while 2 * root + 1 < end {
                var child = 2 * root + 1
                if child + 1 < end && less(a[child], a[child + 1]) { child += 1 }
                guard less(a[root], a[child]) else { return }
                a.swapAt(root, child)
                root = child
            }
        }
        var start = a.count / 2
        while start > 0 {
            start -= 1
            siftDown(start, a.count)
        }
        var end = a.count
        while end > 1 {
            end -= 1
            a.swapAt(0, end)
            siftDown(0, end)
        }
    }
}
