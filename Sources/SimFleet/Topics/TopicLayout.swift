import DeviceCore

/// The fleet's topic layout: where devices publish their status and logs and where they take OTA
/// commands (scenario `topics:`, `--topic-prefix`). The observer's subscriptions, the embedded
/// broker's ACL, `acl_probe` and rollouts all follow it. `device/{id}/…` is the default.
public struct TopicLayout: Sendable, Equatable {
    public var status: TopicTemplate
    public var ota: TopicTemplate
    public var logs: TopicTemplate

    public init(status: TopicTemplate, ota: TopicTemplate, logs: TopicTemplate) {
        self.status = status
        self.ota = ota
        self.logs = logs
    }

    /// The default prefix of every device topic.
    public static let defaultPrefix = "device"

    /// `device/{id}/status`, `device/{id}/ota`, `device/{id}/logs`.
    public static let `default` = try! TopicLayout(prefix: defaultPrefix)

    /// `PREFIX/{id}/status`, `PREFIX/{id}/ota`, `PREFIX/{id}/logs` (`--topic-prefix tenants/acme`).
    public init(prefix: String) throws(TopicTemplateError) {
        let base = prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix
        guard !base.isEmpty else { throw TopicTemplateError("is empty", offset: 0) }
        let check = try TopicTemplate(base, perDevice: false)
        _ = check
        status = try TopicTemplate(base + "/{id}/status")
        ota = try TopicTemplate(base + "/{id}/ota")
        logs = try TopicTemplate(base + "/{id}/logs")
    }

    /// The templates as a device's firmware takes them: fleet placeholders resolved, `{id}` left.
    /// Templates with only `{id}` are passed on as they are (one shared string for the fleet).
    public func deviceTemplates(_ p: TopicPlaceholders) -> TopicTemplates {
        TopicTemplates(status: status.expandingFleetPlaceholders(p), ota: ota.expandingFleetPlaceholders(p),
                       logs: logs.expandingFleetPlaceholders(p))
    }

    /// The status topic filter the observer subscribes to (`device/+/status`).
    public var statusFilter: String { TopicPattern(status).filter }
    /// The command filter the observer publishes under (`device/+/ota`).
    public var otaFilter: String { TopicPattern(ota).filter }

    /// A status, OTA or logs template that is another's: devices would read their own status as
    /// commands. Returns the clash, nil when the three differ.
    public var clash: String? {
        if status == ota { return "the status and ota topics are the same" }
        if status == logs { return "the status and logs topics are the same" }
        if ota == logs { return "the ota and logs topics are the same" }
        return nil
    }
}

/// One device's topics, resolved.
public struct DeviceTopicNames: Sendable, Equatable {
    public var status: String
    public var ota: String
    public var logs: String
}

extension TopicLayout {
    /// The device's resolved topics.
    public func names(_ p: TopicPlaceholders) -> DeviceTopicNames {
        DeviceTopicNames(status: status.resolve(p), ota: ota.resolve(p), logs: logs.resolve(p))
    }
}
