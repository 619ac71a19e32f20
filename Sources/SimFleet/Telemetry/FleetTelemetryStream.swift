import DeviceCore

/// One telemetry stream of a fleet (a `telemetry:` entry of a group, or `--telemetry-every`):
/// what the group's devices publish and how the observer accounts for it (`telemetry.<name>` in
/// the report).
public struct FleetTelemetryStream: Sendable, Equatable {
    /// The stream's name in the report (`name:`, default the topic template).
    public var name: String
    /// Topic template, e.g. `devices/{id}/telemetry`.
    public var topic: TopicTemplate
    public var every: TimeSpan
    /// 0 or 1.
    public var qos: Int
    public var retain: Bool
    /// The payload template as written, and compiled.
    public var payloadText: String
    public var payload: TelemetryTemplate
    /// The group whose devices publish it; nil: every device of the fleet.
    public var group: String?

    public init(name: String, topic: TopicTemplate, every: TimeSpan, qos: Int = 0, retain: Bool = false,
                payloadText: String, payload: TelemetryTemplate, group: String? = nil) {
        self.name = name
        self.topic = topic
        self.every = every
        self.qos = qos
        self.retain = retain
        self.payloadText = payloadText
        self.payload = payload
        self.group = group
    }

    /// Whether a device of `group` publishes this stream.
    func applies(to group: String) -> Bool { self.group == nil || self.group == group }

    /// The stream as the observer matches it: `{group}` and `{chip}` filled in for its group, so
    /// streams of different groups on `fleet/{group}/{id}/t` are told apart by their topics.
    /// A stream of every device (`group` nil) keeps them as placeholders.
    func pattern(chip: String) -> TopicPattern {
        guard let group else { return TopicPattern(topic) }
        return TopicPattern(topic.expandingGroup(group, chip: chip))
    }
}

/// `--telemetry-every 1s --telemetry-bytes 256`: one stream on `PREFIX/{id}/telemetry` with a
/// sequence number, a timestamp, a temperature random walk and padding up to the size.
extension FleetTelemetryStream {
    public static let shorthandName = "telemetry"

    /// The payload template the shorthand uses (padded when `bytes` is given).
    public static func shorthandPayload(bytes: Int?) -> String {
        let core = #"{"id":"{id}","seq":{seq},"ts":{ts},"temp":{walk:21.5:0.05:2}"#
        guard let bytes else { return core + "}" }
        return core + #","pad":"{pad:"# + String(bytes) + #"}"}"#
    }

    /// The shorthand stream of every device, beside `layout`'s status topic (`device/{id}/telemetry`).
    public static func shorthand(every: TimeSpan, bytes: Int?, layout: TopicLayout = .default) throws -> FleetTelemetryStream {
        FleetTelemetryStream(try TelemetryShorthand(every: every, bytes: bytes).spec(layout: layout), group: nil)
    }
}

extension FleetConfiguration {
    /// The DeviceCore streams of the device `p` names: its group's, topics with `{id}` left in.
    func deviceTelemetry(_ p: TopicPlaceholders) -> [TelemetryStream] {
        var out: [TelemetryStream] = []
        for (tag, stream) in telemetry.enumerated() where stream.applies(to: p.group) {
            out.append(TelemetryStream(topic: stream.topic.expandingFleetPlaceholders(p), interval: stream.every,
                                       qos: stream.qos, retain: stream.retain, payload: stream.payload, tag: tag))
        }
        return out
    }

    /// The chip prefix of a group's devices.
    func chipPrefix(ofGroup group: String) -> String {
        guard let g = shapes?.groups.first(where: { $0.name == group }) else { return chip.idPrefix }
        return deviceSpec(g.range.lowerBound).chip.idPrefix
    }

    /// The observer's pattern of stream `tag` (its group's `{group}` and `{chip}` filled in).
    func telemetryPattern(_ tag: Int) -> TopicPattern {
        let stream = telemetry[tag]
        return stream.pattern(chip: chipPrefix(ofGroup: stream.group ?? groupName))
    }
}
