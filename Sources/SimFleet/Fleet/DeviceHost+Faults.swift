import DeviceCore

/// Scenario faults a device host carries out on its own side of the wire: a power cut during the
/// flash write of an update, added latency and packet loss on outgoing MQTT publishes, requests to
/// the device's local HTTP API, and tagging origin downloads with the device id.
struct HostFaults {
    /// Cut power at this flash operation of the next update (1-based); nil: not armed.
    var powerCutAtFlashOp: Int?
    /// Flash operations seen since the armed update began.
    var flashOpsInUpdate = 0
    /// How long the power stays off after the cut.
    var powerCutOff = TimeSpan.seconds(1)
    /// Added one-way delay on every outgoing publish.
    var latency: TimeSpan?
    /// Fraction of publishes whose first transmission is lost (TCP resends after `retransmit`).
    var loss = 0.0
    /// The loss decisions, seeded from the device's seed.
    var random: SeededRandom?
    /// Publishes held back by latency or loss, in due order.
    var delayed: [(due: Instant, publish: MQTTPublish)] = []
    /// Replies awaited from the device's local API (ids above `localIDBase`, apart from the portal's).
    var localReplies: [UInt32: (HTTPResponse) -> Void] = [:]
    var nextLocalID: UInt32 = HostFaults.localIDBase

    static let localIDBase: UInt32 = 0x8000_0000
    /// TCP's minimum retransmission timeout on Linux.
    static let retransmit = TimeSpan.milliseconds(200)
}

/// The heap cell behind `DeviceHost.faults`.
final class FaultCell {
    var value = HostFaults()
}

extension DeviceHost {
    /// Arms a power cut at the `atOp`-th flash operation of the next update (torn write: the
    /// operation does not land), with the power back after `off`.
    func armPowerCut(atFlashOp atOp: Int, off: TimeSpan) {
        faults.powerCutAtFlashOp = max(1, atOp)
        faults.flashOpsInUpdate = 0
        faults.powerCutOff = off
    }

    /// True when `action` is the armed flash operation: power is cut before it lands.
    func cutsPower(before action: Action, now: Instant) -> Bool {
        guard hasFaults, let at = faults.powerCutAtFlashOp, case .flash = action, firmware.isUpdating else { return false }
        faults.flashOpsInUpdate += 1
        guard faults.flashOpsInUpdate >= at else { return false }
        faults.powerCutAtFlashOp = nil
        counters.bump(counters.powerCutsDuringFlash)
        powerCycle(offFor: faults.powerCutOff, now: now, cause: .powerCut)
        return true
    }

    /// Sets (or with nil/0 clears) added latency and packet loss on outgoing publishes.
    func setLinkImpairment(latency: TimeSpan?, loss: Double) {
        faults.latency = latency
        faults.loss = loss
        if faults.random == nil { faults.random = SeededRandom(seed: identity.seed ^ 0x5EED_1055) }
    }

    /// Publishes now, or later when the link is impaired.
    func send(_ p: MQTTPublish, now: Instant) {
        guard hasFaults, faults.latency != nil || faults.loss > 0 || !faults.delayed.isEmpty else { return publish(p) }
        var delay = faults.latency ?? .milliseconds(0)
        var rto = HostFaults.retransmit
        while faults.loss > 0, let roll = faults.random?.next(upTo: 999_999), Double(roll) < faults.loss * 1_000_000, rto < .seconds(60) {
            counters.bump(counters.packetsLost)
            delay = delay + rto
            rto = rto + rto
        }
        let due = now + delay
        let last = faults.delayed.last?.due ?? due
        faults.delayed.append((max(due, last), p))  // TCP keeps order
    }

    /// Sends the held-back publishes that are due.
    func flushDelayed(now: Instant) {
        guard hasFaults else { return }
        while let first = faults.delayed.first, first.due <= now {
            faults.delayed.removeFirst()
            publish(first.publish)
        }
    }

    var delayedDeadline: Instant? { hasFaults ? faults.delayed.first?.due : nil }

    /// Drops the MQTT connection without a DISCONNECT, as a flaky network would; the device
    /// reconnects with its backoff.
    func dropMQTTConnection() {
        guard powerOnAt == nil, client != nil else { return }
        client?.abort()
        drain()
    }

    /// Hands the device a request to its local HTTP API (`POST /reset_wifi`) and `reply` its answer.
    func localRequest(_ request: HTTPRequest, reply: @escaping (HTTPResponse) -> Void) {
        guard powerOnAt == nil else { return reply(.text(503, "device is powered off\n")) }
        faults.nextLocalID &+= 1
        if faults.nextLocalID < HostFaults.localIDBase { faults.nextLocalID = HostFaults.localIDBase }
        faults.localReplies[faults.nextLocalID] = reply
        deliver(.httpRequest(id: faults.nextLocalID, request))
    }

    /// A reply to `localRequest`; false when the id is the portal's.
    func answerLocal(_ action: Action) -> Bool {
        guard hasFaults, case .httpRespond(let id, let response) = action, let reply = faults.localReplies.removeValue(forKey: id) else {
            return false
        }
        reply(response)
        return true
    }

    /// The download URL with `device=<id>` added for the embedded origin (its targeted faults).
    func tagged(_ url: String) -> String {
        guard let prefix = originPrefix, url.hasPrefix(prefix) else { return url }
        let id = identity.id.addingPercentEncodingForQuery()
        return url + (url.contains("?") ? "&" : "?") + "device=" + id
    }
}

extension String {
    /// Percent-encodes everything but unreserved characters (RFC 3986).
    func addingPercentEncodingForQuery() -> String {
        var out = ""
        for b in utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(Character(UnicodeScalar(b)))
            default:
                let hex = Array("0123456789ABCDEF")
                out += "%" + String(hex[Int(b >> 4)]) + String(hex[Int(b & 15)])
            }
        }
        return out
    }
}
