/// A host's QoS 1 heartbeats awaiting their PUBACK: libmosquitto message id → the heartbeat's
/// delivery key (boot count and seq, `HeartbeatFields`). One is in flight almost always, so it is
/// held in line; more (a broker slow to acknowledge) spill into an array. An array alone kept its
/// ~50-byte buffer for the device's whole life.
struct UnacknowledgedHeartbeats {
    /// The in-line entry; `mid` 0 means empty (libmosquitto never gives a message id of 0).
    private var first: (mid: Int32, key: Int) = (0, 0)
    private var more: [(mid: Int32, key: Int)] = []

    var count: Int { (first.mid == 0 ? 0 : 1) + more.count }

    mutating func insert(mid: Int32, key: Int) {
        if first.mid == 0 && mid != 0 { first = (mid, key) } else { more.append((mid, key)) }
    }

    /// The delivery key sent with message `mid`, now forgotten; nil when none is awaited under it.
    mutating func remove(mid: Int32) -> Int? {
        if first.mid == mid && mid != 0 {
            defer { first = (0, 0) }
            return first.key
        }
        guard let i = more.firstIndex(where: { $0.mid == mid }) else { return nil }
        return more.remove(at: i).key
    }
}
