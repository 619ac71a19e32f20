import DeviceCore

/// What the devices lived through in one fault (the report's `faults`): how many lost their broker
/// session during it, how the reconnects spread once it ended and when all were back, what waited
/// unacknowledged, and what the broker received meanwhile.
public struct FaultImpact: Sendable, Equatable {
    public var window: FaultWindow
    /// Devices whose session dropped while the fault was in force.
    public var disconnected = 0
    /// Of those, devices that had a session again by the end of the run.
    public var reconnected = 0
    /// Seconds from the fault's end to each reconnect (0: back before it ended), sorted; empty
    /// while the fault is still in force at the end of the run.
    public var reconnectSeconds: [Double] = []
    /// Seconds from the fault's end until every device it disconnected was back; nil when some
    /// never came back or the fault never ended.
    public var allOnlineSeconds: Double?

    public var neverReconnected: Int { disconnected - reconnected }

    /// Buckets of the reconnect spread (upper bounds, seconds).
    public static let bucketBounds: [Double] = [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300]

    /// Reconnect spread as counts per bucket (the last bucket is everything above 300 s).
    public var histogram: [(leSeconds: Double?, count: Int)] {
        var counts = [Int](repeating: 0, count: FaultImpact.bucketBounds.count + 1)
        for s in reconnectSeconds {
            let i = FaultImpact.bucketBounds.firstIndex { s <= $0 } ?? FaultImpact.bucketBounds.count
            counts[i] += 1
        }
        return counts.enumerated().map { i, n in (i < FaultImpact.bucketBounds.count ? FaultImpact.bucketBounds[i] : nil, n) }
    }

    /// The `p`-th percentile (0…1) of the reconnect spread, nil when nobody reconnected after it.
    public func percentile(_ p: Double) -> Double? {
        guard !reconnectSeconds.isEmpty else { return nil }
        let rank = Int((p * Double(reconnectSeconds.count)).rounded(.up)) - 1
        return reconnectSeconds[min(reconnectSeconds.count - 1, max(0, rank))]
    }

    /// Every window's impact, from the reactors' ledgers (read after the run).
    static func compute(_ windows: [FaultWindow], ledgers: [LinkLedger]) -> [FaultImpact] {
        windows.map { compute($0, ledgers: ledgers) }
    }

    static func compute(_ window: FaultWindow, ledgers: [LinkLedger]) -> FaultImpact {
        var impact = FaultImpact(window: window)
        let targets = Set(window.devices.map { Int32(truncatingIfNeeded: $0) })
        let end = window.endMicros ?? Int64.max
        // Per device: when it first lost its session within the window, then when it was back.
        var downAt: [Int32: Int64] = [:]
        var upAt: [Int32: Int64] = [:]
        for ledger in ledgers {
            for e in ledger.entries where targets.contains(e.device) {
                if !e.up {
                    if e.at >= window.startMicros && e.at <= end && downAt[e.device] == nil { downAt[e.device] = e.at }
                }
            }
        }
        for ledger in ledgers {
            for e in ledger.entries where e.up {
                guard let down = downAt[e.device], e.at > down, upAt[e.device] == nil else { continue }
                upAt[e.device] = e.at
            }
        }
        impact.disconnected = downAt.count
        impact.reconnected = upAt.count
        guard let endMicros = window.endMicros else { return impact }
        impact.reconnectSeconds = upAt.values.map { max(0, Double($0 - endMicros) / 1e6) }.sorted()
        if impact.reconnected == impact.disconnected {
            impact.allOnlineSeconds = impact.reconnectSeconds.last ?? 0
        }
        return impact
    }

    public static func == (a: FaultImpact, b: FaultImpact) -> Bool {
        a.window == b.window && a.disconnected == b.disconnected && a.reconnected == b.reconnected
            && a.reconnectSeconds == b.reconnectSeconds && a.allOnlineSeconds == b.allOnlineSeconds
    }
}
