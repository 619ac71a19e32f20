import DeviceCore
import DeviceTestKit

/// What the fleet does to a partition's devices between epochs: the scenario's faults and
/// commands, as `FleetRunner`'s hooks do them to socket hosts.
extension VirtualPartition {
    /// The access point vanishes for `downFor`: the station loses its link and cannot rejoin until then.
    func dropWiFi(_ slot: Int, downFor: TimeSpan) {
        guard hosts[slot].isPoweredOn else { return }
        hosts[slot].wifiDownUntil = now + downFor
        dropConnection(slot)
        deliver(slot, .wifi(.disconnected(.connectionLost)))
    }

    /// The connection drops without a DISCONNECT (a storm); the firmware reconnects with backoff.
    func dropMQTT(_ slot: Int) {
        guard hosts[slot].isPoweredOn, hosts[slot].link == .online || hosts[slot].link == .connecting else { return }
        dropConnection(slot)
        drain(slot)
    }

    /// The broker process goes away: every connection ends (no wills: the broker is gone) and
    /// connects are refused until `brokerUp` is set again.
    func brokerStops() {
        brokerUp = false
        for slot in hosts.indices where hosts[slot].isPoweredOn {
            switch hosts[slot].link {
            case .online:
                counters.count(.disconnected)
                setLink(slot, .waiting)
                enqueue(.mqtt(.disconnected))
            case .connecting:
                note(slot, .connectFailed, -1)
                setLink(slot, .waiting)
                enqueue(.mqtt(.connectFailed(code: -1)))
            case .waiting, .off:
                continue
            }
            hosts[slot].connection += 1
            hosts[slot].subscribedOTA = false
            drain(slot)
        }
    }

    /// An operator command on the device's OTA topic: delivered (observer → broker → device) when
    /// the device holds a subscription then, lost otherwise (clean sessions keep nothing).
    func command(_ slot: Int, payload: [UInt8]) {
        guard brokerUp, hosts[slot].isPoweredOn, hosts[slot].link == .online, hosts[slot].subscribedOTA else { return }
        let topic = hosts[slot].firmware.topics.ota
        later(slot, at: now + oneWay + oneWay, connection: true, .mqtt(.message(topic: topic, payload: payload)))
    }

    /// ACL probe: the device subscribes outside its own topics; the scripted broker's ACL (own
    /// topics only, as the embedded Mosquitto's) refuses every such attempt.
    func probeACL(_ slot: Int, topic: String) {
        guard hosts[slot].isPoweredOn, hosts[slot].link == .online else { return }
        counters.bump(counters.aclAttempts)
        // The device's own subtree: its status topic up to and including its id level (`device/<id>/`
        // in the default layout), as the embedded broker's ACL pattern confines it.
        let status = hosts[slot].firmware.topics.status
        let own = status.range(of: "/" + hosts[slot].identity.id + "/").map { String(status[..<$0.upperBound]) }
            ?? (status.hasPrefix(hosts[slot].identity.id + "/") ? hosts[slot].identity.id + "/" : status)
        if topic.hasPrefix(own) || topic == status {
            counters.bump(counters.aclAllowed)
        } else {
            counters.bump(counters.aclRefused)
        }
    }

    /// Powers a dormant device on `after` from now (a `ramp_up` step).
    func rampUp(_ slot: Int, after: TimeSpan) {
        guard let at = hosts[slot].powerOnAt, at > now + .seconds(86_400) else { return }
        hosts[slot].advance(.movePowerOn(to: now + after))
        reschedule(slot)
    }

    /// Swarm: the device's link to the broker is cut for `span` (its connection ends, its will fires).
    func partition(_ slot: Int, for span: TimeSpan) {
        hosts[slot].partitionedUntil = now + span
        network.partition(hosts[slot].identity.id, origin.endpoint, for: span)
        simulation.note(hosts[slot].identity.id + ": partitioned from the broker for " + String(span.milliseconds) + " ms")
        guard hosts[slot].isPoweredOn else { return }
        dropConnection(slot)
        drain(slot)
    }
}
