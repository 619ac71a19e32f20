/// The topics an `acl_probe` step makes a device try, none of them its own: another device's
/// status, commands and logs, then wildcards that would cover every device. Chosen from the plan,
/// so the same seed probes the same topics. They follow the run's topic layout (`layout`, with
/// `placeholders` giving a device's values by fleet index; by default the plan's ids).
public enum ACLProbeTopics {
    public static func topic(device index: Int, attempt: Int, plan: ScenarioPlan, layout: TopicLayout = .default,
                             placeholders: ((Int) -> TopicPlaceholders)? = nil) -> String {
        let n = plan.devices.count
        let otherIndex = (index + 1 + attempt / 5) % max(1, n)
        let values = placeholders ?? { i in
            TopicPlaceholders(id: plan.devices[i].id, n: i + 1, chip: plan.devices[i].chip.idPrefix, group: plan.devices[i].group,
                              mac: "")
        }
        var other = values(otherIndex)
        if otherIndex == index {
            // A one-device fleet: a device that does not exist (its topics are not this one's either).
            other.id += "-elsewhere"
            other.n += n
            other.mac = "ffffffffffff"
        }
        switch attempt % 5 {
        case 0: return layout.status.resolve(other)
        case 1: return layout.ota.resolve(other)
        case 2: return layout.logs.resolve(other)
        case 3: return layout.statusFilter
        default: return "#"
        }
    }

    /// The client id a device claims in the spoofed-client-id probe: the next device's.
    public static func spoofedClientID(device index: Int, plan: ScenarioPlan) -> String {
        let n = plan.devices.count
        let other = plan.devices[(index + 1) % max(1, n)].id
        return other == plan.devices[index].id ? other + "-elsewhere" : other
    }
}
