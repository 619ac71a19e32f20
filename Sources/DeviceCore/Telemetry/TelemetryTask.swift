/// The firmware's sensor task: every configured stream publishes its payload on its own interval
/// while the broker session is up. A sub-machine in the common shape: the device calls
/// `sessionStarted` / `sessionEnded` and `tick(at:device:)` (answered in a `MachineOutput`), and
/// reads `deadline` only while its MQTT session is up.
///
/// With no streams configured it is one empty array: no allocation, and `deadline` is nil. What a
/// tick reads of the device comes in a `TelemetryContext`, never stored here.
struct TelemetryTask: Sendable {
    /// Publishes, in stream order. A tick refuses nothing and asks nothing of the device beyond
    /// its actions, hence `Never` for both; it may continue the owner's action buffer.
    typealias Output = MachineOutput<Never, Never>

    /// One per configured stream, in configuration order.
    private var channels: [TelemetryChannel]

    /// The task for `streams`, seeded from the device's seed (its own random streams, so the
    /// device's backoff jitter is the same with or without telemetry); `deviceID` fills `{id}` in
    /// their topics.
    init(streams: [TelemetryStream], seed: UInt64, deviceID: String) {
        guard !streams.isEmpty else {
            channels = []
            return
        }
        channels = []
        channels.reserveCapacity(streams.count)
        for (i, stream) in streams.enumerated() {
            channels.append(TelemetryChannel(topic: resolveTopic(stream.topic, id: deviceID),
                                             seed: seed ^ (UInt64(i + 1) &* 0xA24B_AED4_963E_E407),
                                             walks: stream.payload.walkStarts))
        }
    }

    var isEmpty: Bool { channels.isEmpty }

    /// The earliest message due; nil when there are no streams or the session is down.
    var deadline: Instant? {
        var next: Instant? = nil
        for channel in channels { next = earliest(next, channel.state.due) }
        return next
    }

    /// CONNACK: every stream sends its first message one interval from now.
    mutating func sessionStarted(at now: Instant, streams: [TelemetryStream]) {
        for i in channels.indices { channels[i].state = .due(now + streams[i].interval) }
    }

    /// The session ended: nothing is due until the next CONNACK.
    mutating func sessionEnded() {
        for i in channels.indices { channels[i].state = .waitingForSession }
    }

    /// Publishes every stream that is due at `now`. A late tick does not cause a burst: the next
    /// message is one interval after the due time, or after `now` when that has passed too.
    mutating func tick(at now: Instant, device: TelemetryContext, continuing out: Output = Output()) -> Output {
        var out = out
        for i in channels.indices {
            guard case .due(let due) = channels[i].state, due <= now else { continue }
            let stream = device.streams[i]
            channels[i].seq += 1
            let payload = stream.payload.render(
                TelemetryTemplate.Context(deviceID: device.fixed.deviceID, seq: channels[i].seq, now: now,
                                          uptimeSeconds: device.uptimeSeconds),
                generators: &channels[i].generators)
            out.actions.append(.mqttPublish(MQTTPublish(topic: channels[i].topic, payload: payload,
                                                        qos: min(max(stream.qos, 0), 2), retain: stream.retain,
                                                        messageID: channels[i].seq, telemetryStream: stream.tag)))
            var next = due + stream.interval
            if next <= now { next = now + stream.interval }
            channels[i].state = .due(next)
        }
        return out
    }

    /// Messages published so far, per stream (they survive reboots, as `seq` does).
    var published: [Int] { channels.map { $0.seq } }
}

/// One stream's part of the sensor task.
struct TelemetryChannel: Sendable {
    /// Whether a message is scheduled.
    enum State: Equatable, Sendable {
        /// No broker session: nothing is sampled.
        case waitingForSession
        /// The next message is due at this time.
        case due(Instant)

        var due: Instant? {
            if case .due(let at) = self { return at }
            return nil
        }
    }

    /// The stream's topic with `{id}` resolved (published on every message, so resolved once; here
    /// rather than in `DeviceFixed`, where a device without telemetry paid for an empty array).
    let topic: String
    var state = State.waitingForSession
    /// The last message's number; the next is `seq + 1`. Like a counter kept in RTC memory, it
    /// survives reboots, so a backend sees one increasing sequence per device and stream.
    var seq = 0
    /// The stream's random generator and random-walk positions.
    var generators: TelemetryGenerators

    init(topic: String, seed: UInt64, walks: [Int64]) {
        self.topic = topic
        generators = TelemetryGenerators(random: SeededRandom(seed: seed), walks: walks)
    }
}
