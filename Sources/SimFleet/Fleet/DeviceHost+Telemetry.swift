import DeviceCore

/// Delivery bookkeeping of a device's telemetry messages (QoS 1): which sequence numbers the broker
/// acknowledged, per stream, so the report can name every acknowledged message the observer never
/// got. Created on the first QoS 1 telemetry publish; QoS 0 telemetry needs only the reactor's tally.
final class TelemetryLedger {
    struct Stream {
        /// Acknowledged sequence numbers (templates with `{seq}`), and how many were acknowledged.
        var acknowledged = SequenceSet()
        var acknowledgedCount = 0
    }

    /// By stream tag.
    var streams: [Stream] = []
    /// libmosquitto message id → (stream tag, seq), until the PUBACK.
    var unacknowledged: [(mid: Int32, tag: Int, seq: Int)] = []

    func stream(_ tag: Int) -> Stream { tag < streams.count ? streams[tag] : Stream() }
}

/// Per-reactor totals of telemetry messages by stream tag (reactor thread only).
struct TelemetryTally {
    var sent: [Int] = []
    var acknowledged: [Int] = []

    mutating func count(sent tag: Int) {
        while sent.count <= tag { sent.append(0) }
        sent[tag] += 1
    }

    mutating func count(acknowledged tag: Int) {
        while acknowledged.count <= tag { acknowledged.append(0) }
        acknowledged[tag] += 1
    }

    mutating func merge(_ other: TelemetryTally) {
        for (tag, n) in other.sent.enumerated() where n > 0 {
            while sent.count <= tag { sent.append(0) }
            sent[tag] += n
        }
        for (tag, n) in other.acknowledged.enumerated() where n > 0 {
            while acknowledged.count <= tag { acknowledged.append(0) }
            acknowledged[tag] += n
        }
    }
}

extension DeviceHost {
    /// A telemetry message went out as libmosquitto message `mid`.
    func telemetrySent(tag: Int, seq: Int, mid: Int32, qos: Int) {
        reactor.telemetry.count(sent: tag)
        counters.bump(counters.telemetrySent)
        guard qos > 0 else { return }
        let ledger = telemetryLedger ?? TelemetryLedger()
        telemetryLedger = ledger
        ledger.unacknowledged.append((mid, tag, seq))
    }

    /// A PUBACK for a telemetry message; false when `mid` was none of them.
    func telemetryAcknowledged(mid: Int32) -> Bool {
        guard let ledger = telemetryLedger, let i = ledger.unacknowledged.firstIndex(where: { $0.mid == mid }) else { return false }
        let (_, tag, seq) = ledger.unacknowledged.remove(at: i)
        while ledger.streams.count <= tag { ledger.streams.append(TelemetryLedger.Stream()) }
        ledger.streams[tag].acknowledged.insert(seq)
        ledger.streams[tag].acknowledgedCount += 1
        reactor.telemetry.count(acknowledged: tag)
        counters.bump(counters.telemetryAcknowledged)
        return true
    }
}
