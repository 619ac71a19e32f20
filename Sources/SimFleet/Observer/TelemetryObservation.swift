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
        /// The device keys counted (a shard's own devices); nil: every key.
        var keys: Set<String>? = nil
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

    /// What became of a received message.
    enum Receipt: Equatable {
        /// A new message of one of the streams.
        case new
        /// A stream's topic, but a duplicate, a malformed payload, or another shard's device.
        case notNew
        /// No stream has this topic.
        case noStream
    }

    /// Accounts one message.
    mutating func receive(topic: UnsafeBufferPointer<UInt8>, payload: UnsafeRawBufferPointer, at now: Instant) -> Receipt {
        for s in streams.indices {
            guard let key = streams[s].pattern.key(of: topic) else { continue }
            if let keys = streams[s].keys, !keys.contains(key) { return .notNew }
            return streams[s].account(key: key, payload: payload, at: now) ? .new : .notNew
        }
        return .noStream
    }

    /// Counts only these device keys of stream `tag` (a shard's own devices).
    mutating func restrict(tag: Int, to keys: Set<String>) {
        for s in streams.indices where streams[s].tag == tag { streams[s].keys = keys }
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
