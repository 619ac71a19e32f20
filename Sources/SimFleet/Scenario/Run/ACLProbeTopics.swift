/// The topics an `acl_probe` step makes a device try, none of them its own: another device's
/// status, commands and logs, then wildcards that would cover every device. Chosen from the plan,
/// so the same seed probes the same topics.
public enum ACLProbeTopics {
    public static func topic(device index: Int, attempt: Int, plan: ScenarioPlan) -> String {
        let n = plan.devices.count
        let other = plan.devices[(index + 1 + attempt / 5) % max(1, n)].id
        let neighbour = other == plan.devices[index].id ? other + "-elsewhere" : other
        switch attempt % 5 {
        case 0: return "device/" + neighbour + "/status"
        case 1: return "device/" + neighbour + "/ota"
        case 2: return "device/" + neighbour + "/logs"
        case 3: return "device/+/status"
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
