/// HTTP requests waiting for a WiFi scan. One radio scan serves every request that arrives while it
/// runs; a request that waits longer than the timeout is answered 504 on its own.
struct PendingScans: Sendable {
    /// At most this many requests wait at once; more get 503 rather than unbounded memory.
    static let capacity = 4

    private(set) var waiting: [(id: UInt32, deadline: Instant)] = []
    /// A `.wifiScan` was emitted and its `.scanDone` has not come back yet.
    private(set) var scanInFlight = false

    var deadline: Instant? {
        var earliest: Instant? = nil
        for w in waiting {
            if let e = earliest, e <= w.deadline { continue }
            earliest = w.deadline
        }
        return earliest
    }

    /// Queues request `id`; starts a scan when none is running. Answers 503 when the queue is full.
    mutating func request(id: UInt32, at now: Instant, timeout: TimeSpan, actions: inout [Action]) {
        guard waiting.count < PendingScans.capacity else {
            actions.append(.httpRespond(id: id, .error(503, "too many scans in progress")))
            return
        }
        waiting.append((id: id, deadline: now + timeout))
        if !scanInFlight {
            scanInFlight = true
            actions.append(.wifiScan)
        }
    }

    /// Answers every waiting request with `networks`. Returns false when nobody asked for a scan.
    mutating func complete(_ networks: [ScannedNetwork], actions: inout [Action]) -> Bool {
        let wasInFlight = scanInFlight
        scanInFlight = false
        guard wasInFlight, !waiting.isEmpty else { return false }
        let body = scanResultJSON(networks)
        for w in waiting { actions.append(.httpRespond(id: w.id, .json(200, body))) }
        waiting = []
        return true
    }

    /// Answers 504 to requests whose wait is over; forgets the scan once nobody waits for it.
    mutating func expire(at now: Instant, actions: inout [Action]) {
        var still: [(id: UInt32, deadline: Instant)] = []
        for w in waiting {
            if w.deadline <= now {
                actions.append(.httpRespond(id: w.id, .error(504, "scan timed out")))
            } else {
                still.append(w)
            }
        }
        waiting = still
        if waiting.isEmpty { scanInFlight = false }
    }
}

/// `{"networks":[{"ssid","bssid","rssi","channel","auth"}, ...]}`, strongest first as ESP-IDF sorts them.
func scanResultJSON(_ networks: [ScannedNetwork]) -> JSONValue {
    var sorted = networks
    sorted.sort { $0.rssi > $1.rssi }
    var items: [JSONValue] = []
    for n in sorted {
        items.append(.object([
            JSONMember("ssid", .string(n.ssid)),
            JSONMember("bssid", .string(colonHex(n.bssid))),
            JSONMember("rssi", .int(n.rssi)),
            JSONMember("channel", .int(n.channel)),
            JSONMember("auth", .string(n.auth.name)),
        ]))
    }
    return .object([JSONMember("networks", .array(items))])
}
