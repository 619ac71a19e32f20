import DeviceCore

/// One impairment of a device's link to the broker, applied by the fault proxy to both directions.
/// The anchor is Toxiproxy's toxics (latency with jitter, bandwidth, slow_close, timeout,
/// reset_peer, limit_data) plus TCP-style packet loss and refusing new connections.
public enum Toxic: Equatable, Sendable {
    /// Every chunk of bytes waits `delay` ± a uniform `jitter` (order is kept, as TCP keeps it).
    case latency(TimeSpan, jitter: TimeSpan)
    /// Each chunk's first transmission is lost with this probability (0…1) and resent after TCP's
    /// retransmission timeout (200 ms, doubling): loss on a TCP link delays, it does not drop.
    case packetLoss(Double)
    /// At most this many bytes per second each way.
    case bandwidth(bytesPerSecond: Double)
    /// When one side closes, the other learns of it only after this delay.
    case slowClose(TimeSpan)
    /// Blackhole: bytes stop (held, as TCP would keep retransmitting them) and the connection stays
    /// open; with `closeAfter`, the proxy closes it after that long. Held bytes flow again when the
    /// toxic is removed.
    case timeout(closeAfter: TimeSpan?)
    /// The connection is reset (TCP RST both ways) `after` it was opened or the toxic applied.
    case resetPeer(after: TimeSpan)
    /// The connection is closed once this many bytes went through in either direction.
    case limitData(bytes: Int)
    /// New connections are refused (reset before the broker hears of them); connections already
    /// open carry on.
    case refuse

    /// Toxics of the same kind replace each other; `clear` removes one kind.
    public enum Kind: String, CaseIterable, Sendable {
        case latency, packetLoss = "packet_loss", bandwidth, slowClose = "slow_close", timeout
        case resetPeer = "reset_peer", limitData = "limit_data", refuse
    }

    public var kind: Kind {
        switch self {
        case .latency: return .latency
        case .packetLoss: return .packetLoss
        case .bandwidth: return .bandwidth
        case .slowClose: return .slowClose
        case .timeout: return .timeout
        case .resetPeer: return .resetPeer
        case .limitData: return .limitData
        case .refuse: return .refuse
        }
    }
}

/// The toxics in force on one device's link, at most one of each kind.
struct LinkFaults: Equatable, Sendable {
    var latency: (delay: Int64, jitter: Int64)?
    var loss = 0.0
    var bytesPerSecond: Double?
    var slowClose: Int64?
    /// A blackhole is in force; its value is the close delay (nil: never closes).
    var blackhole: Int64??
    var resetAfter: Int64?
    var limitBytes: Int?
    var refuse = false
    /// When each toxic that counts time from its start was applied (µs), for reset_peer and timeout.
    var resetSince: Int64 = 0
    var blackholeSince: Int64 = 0

    static let none = LinkFaults()

    var isEmpty: Bool { self == .none }

    /// Whether bytes must wait in the proxy instead of going straight through.
    var delaysBytes: Bool { latency != nil || loss > 0 || bytesPerSecond != nil }

    mutating func apply(_ toxic: Toxic, at now: Int64) {
        switch toxic {
        case .latency(let d, let j): latency = (max(0, d.microseconds), max(0, j.microseconds))
        case .packetLoss(let p): loss = min(1, max(0, p))
        case .bandwidth(let rate): bytesPerSecond = max(1, rate)
        case .slowClose(let d): slowClose = max(0, d.microseconds)
        case .timeout(let after):
            blackhole = .some(after.map { max(0, $0.microseconds) })
            blackholeSince = now
        case .resetPeer(let after):
            resetAfter = max(0, after.microseconds)
            resetSince = now
        case .limitData(let n): limitBytes = max(0, n)
        case .refuse: refuse = true
        }
    }

    mutating func clear(_ kind: Toxic.Kind) {
        switch kind {
        case .latency: latency = nil
        case .packetLoss: loss = 0
        case .bandwidth: bytesPerSecond = nil
        case .slowClose: slowClose = nil
        case .timeout: blackhole = nil
        case .resetPeer: resetAfter = nil
        case .limitData: limitBytes = nil
        case .refuse: refuse = false
        }
    }

    static func == (a: LinkFaults, b: LinkFaults) -> Bool {
        a.latency?.delay == b.latency?.delay && a.latency?.jitter == b.latency?.jitter && a.loss == b.loss
            && a.bytesPerSecond == b.bytesPerSecond && a.slowClose == b.slowClose && a.blackhole == b.blackhole
            && a.resetAfter == b.resetAfter && a.limitBytes == b.limitBytes && a.refuse == b.refuse
    }
}

/// How a `broker_outage` makes the broker unreachable for every proxied device.
public enum OutageMode: String, Sendable, Equatable, CaseIterable {
    /// Open connections are closed; new ones are refused (as a broker that is down).
    case refuse
    /// Bytes stop both ways on open connections and nothing of new ones reaches the broker (a link
    /// that went dark): only keepalives and connect timeouts notice; held bytes flow when it ends.
    case blackhole
    /// Open connections are reset (RST both ways); new ones are reset as soon as they are made.
    case reset
}
