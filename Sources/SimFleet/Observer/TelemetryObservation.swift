import DeviceCore

/// What the observer keeps for the fleet's telemetry streams: per stream and device, the sequence
/// numbers (or, without `{seq}`, the count) of what arrived, and the end-to-end latency from `{ts}`.
/// A received topic goes to the first stream whose pattern it has, the most specific first.
struct TelemetryObservation {
    /// One stream's tables (reactor thread).
    struct Stream {
        /// The stream's place in `FleetConfiguration.telemetry`.
        let tag: Int
        let pattern: TopicPattern
        /// Reads `{seq}` and `{ts}` back; nil when the template has neither.
        let reader: TelemetryPayloadReader?
        /// Sequence numbers received, by device key (templates with `{seq}`).
        var bySeq: [String: SequenceSet] = [:]
        /// Messages received, by device key (templates without `{seq}`).
        var byCount: [String: Int] = [:]
        var received = 0
        var duplicates = 0
        /// Payloads that did not have the template's shape.
        var malformed = 0
        var latency = LatencyRecorder()
    }

    private(set) var streams: [Stream] = []

    init() {}

    /// Streams with their patterns; the observer tries the most specific first.
    init(_ streams: [(tag: Int, pattern: TopicPattern, reader: TelemetryPayloadReader?)]) {
        self.streams = streams.map { Stream(tag: $0.tag, pattern: $0.pattern, reader: $0.reader) }
            .sorted { $0.pattern.fixedBytes > $1.pattern.fixedBytes }
    }

    var isEmpty: Bool { streams.isEmpty }

    /// Subscription filters, each once.
    var filters: [String] {
        var out: [String] = []
        for s in streams where !out.contains(s.pattern.filter) { out.append(s.pattern.filter) }
        return out
    }

    /// Accounts one message; true when it was a stream's and new (not a duplicate or malformed).
    mutating func receive(topic: UnsafeBufferPointer<UInt8>, payload: UnsafeRawBufferPointer, at now: Instant) -> Bool {
        for s in streams.indices {
            guard let key = streams[s].pattern.key(of: topic) else { continue }
            return streams[s].account(key: key, payload: payload, at: now)
        }
        return false
    }

    /// The tables of stream `tag`.
    func stream(_ tag: Int) -> Stream? { streams.first { $0.tag == tag } }
}

extension TelemetryObservation.Stream {
    /// Counts one message of this stream from the device `key`; true when it is a new one.
    mutating func account(key: String, payload: UnsafeRawBufferPointer, at now: Instant) -> Bool {
        guard let reader else {
            received += 1
            byCount[key, default: 0] += 1
            return true
        }
        guard let fields = reader.read(payload) else {
            malformed += 1
            return false
        }
        if let seq = fields.seq {
            guard bySeq[key, default: SequenceSet()].insert(seq) else {
                duplicates += 1
                return false
            }
        } else {
            byCount[key, default: 0] += 1
        }
        received += 1
        if let ts = fields.timestampMicros { latency.record(microseconds: now.microseconds - ts) }
        return true
    }
}
