import DeviceCore

/// Scenario faults a device host carries out on its own side of the wire: a power cut during the
/// flash write of an update, requests to the device's local HTTP API, and tagging origin downloads
/// with the device id. Network faults (latency, loss, resets, outages) act on the wire itself,
/// in the reactor's fault proxy (`FaultProxy`).
struct HostFaults {
    /// Cut power at this flash operation of the next update (1-based); nil: not armed.
    var powerCutAtFlashOp: Int?
    /// Flash operations seen since the armed update began.
    var flashOpsInUpdate = 0
    /// How long the power stays off after the cut.
    var powerCutOff = TimeSpan.seconds(1)
    /// The station's access point is gone until then (`dropWiFi`): joins fail with no AP found. The
    /// access point's outage, not the device's state: it outlasts a power cycle of the device.
    var wifiDownUntil: Instant?
    /// Virtual time only (sockets impair the wire in the fault proxy): added one-way delay on every
    /// outgoing publish.
    var latency: TimeSpan?
    /// Virtual time only: fraction of publishes whose first transmission is lost (resent after `retransmit`).
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

    /// True when `action` is the armed flash operation of an update: the host cuts power before it
    /// lands. Shared by the socket host (`DeviceHost`) and the virtual-time host.
    mutating func cutsPower(before action: Action, updating: Bool) -> Bool {
        guard let at = powerCutAtFlashOp, case .flash = action, updating else { return false }
        flashOpsInUpdate += 1
        guard flashOpsInUpdate >= at else { return false }
        powerCutAtFlashOp = nil
        return true
    }

    /// When a publish made `now` goes out on an impaired link: after the added latency and a
    /// retransmission timeout (doubling) per lost first transmission, never before an earlier one
    /// (TCP keeps order). Returns the instant and how many transmissions were lost.
    mutating func publishDue(now: Instant) -> (due: Instant, lost: Int) {
        var delay = latency ?? .milliseconds(0)
        var rto = HostFaults.retransmit
        var lost = 0
        while loss > 0, let roll = random?.next(upTo: 999_999), Double(roll) < loss * 1_000_000, rto < .seconds(60) {
            lost += 1
            delay = delay + rto
            rto = rto + rto
        }
        let due = now + delay
        return (max(due, delayed.last?.due ?? due), lost)
    }
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
        guard hasFaults, faults.cutsPower(before: action, updating: firmware.isUpdating) else { return false }
        counters.bump(counters.powerCutsDuringFlash)
        powerCycle(offFor: faults.powerCutOff, now: now, cause: .powerCut)
        return true
    }

    /// Drops the MQTT connection without a DISCONNECT, as a flaky network would; the device
    /// reconnects with its backoff. A device behind the fault proxy has its connection reset there
    /// (RST to both ends), as the network between it and the broker would.
    func dropMQTTConnection() {
        guard life.isPoweredOn, client != nil else { return }
        if proxied, let proxy = reactor.faultProxy, proxy.reset(devices: [identity.index]) > 0 { return }
        client?.abort()
        drain()
    }

    /// Hands the device a request to its local HTTP API (`POST /reset_wifi`) and `reply` its answer.
    func localRequest(_ request: HTTPRequest, reply: @escaping (HTTPResponse) -> Void) {
        guard life.isPoweredOn else { return reply(.text(503, "device is powered off\n")) }
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
