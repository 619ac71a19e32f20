/// When devices lost and regained their broker sessions, recorded on a reactor thread as it
/// happens (an append, no lock): the report's per-fault timeline is computed from it at the end.
struct LinkLedger {
    struct Entry {
        var device: Int32
        var up: Bool
        /// Unix-epoch µs.
        var at: Int64
    }

    private(set) var entries: [Entry] = []
    /// Entries not kept once `capacity` was reached (a flapping fleet cannot grow memory without bound).
    private(set) var dropped = 0
    static let capacity = 2_000_000

    mutating func record(device: Int, up: Bool, at: Int64) {
        guard entries.count < LinkLedger.capacity else { return dropped += 1 }
        entries.append(Entry(device: Int32(truncatingIfNeeded: device), up: up, at: at))
    }
}
