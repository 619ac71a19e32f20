import DeviceCore

/// One direction of a proxied connection (device → broker or broker → device): the bytes the
/// proxy holds and when each chunk may go on, as the toxics in force decide. Pure bookkeeping: the
/// link reads and writes the sockets. Times are µs on the host clock.
struct ProxyFlow {
    struct Chunk {
        var bytes: [UInt8]
        var due: Int64
    }

    private var chunks: [Chunk] = []
    private var head = 0
    /// Bytes waiting in `chunks`.
    private(set) var queuedBytes = 0
    /// Bytes accepted from the source so far (limit_data counts them).
    private(set) var accepted = 0
    /// When the last chunk is due: later chunks never overtake it (TCP keeps order).
    private var lastDue: Int64 = 0
    /// When the bandwidth toxic lets the next byte go.
    private var bandwidthFreeAt: Int64 = 0
    /// The source closed; the close goes on once the queue is empty (and after slow_close).
    var sourceClosed = false
    /// When the close may go on (slow_close), set once the queue has drained.
    var closeDue: Int64?

    /// Stop reading the source while this much waits (the sender's TCP window fills, as it would).
    static let highWater = 256 * 1024
    /// TCP's minimum retransmission timeout on Linux.
    static let retransmit: Int64 = 200_000

    var isEmpty: Bool { head == chunks.count }
    var wantsMore: Bool { queuedBytes < ProxyFlow.highWater }
    /// When the first waiting chunk is due.
    var nextDue: Int64? { isEmpty ? nil : chunks[head].due }

    /// How many of `count` bytes the source may still send under limit_data (nil: no limit).
    func allowance(_ count: Int, faults: LinkFaults) -> Int {
        guard let limit = faults.limitBytes else { return count }
        return max(0, min(count, limit - accepted))
    }

    /// Whether bytes read now may be written straight on: nothing waits and no toxic delays them.
    func passesThrough(_ faults: LinkFaults, blackholed: Bool) -> Bool {
        isEmpty && !blackholed && !faults.delaysBytes
    }

    /// Counts bytes that went straight through (limit_data still sees them).
    mutating func passed(_ count: Int) { accepted += count }

    /// Holds `bytes` read at `now`, due when latency, packet loss and bandwidth allow. Returns how
    /// many first transmissions packet loss cost.
    @discardableResult
    mutating func hold(_ bytes: UnsafeRawBufferPointer, now: Int64, faults: LinkFaults, random: inout SeededRandom) -> Int {
        guard bytes.count > 0 else { return 0 }
        accepted += bytes.count
        var delay: Int64 = 0
        if let latency = faults.latency {
            delay = latency.delay
            if latency.jitter > 0 {
                let span = UInt64(2 * latency.jitter)
                delay += Int64(random.next() % (span + 1)) - latency.jitter
            }
            delay = max(0, delay)
        }
        var lost = 0
        var rto = ProxyFlow.retransmit
        while faults.loss > 0, Double(random.next() % 1_000_000) < faults.loss * 1_000_000, rto < 60_000_000 {
            lost += 1
            delay += rto
            rto += rto
        }
        var due = max(now + delay, lastDue)
        guard let rate = faults.bytesPerSecond else {
            append(Array(bytes), due: due)
            return lost
        }
        // Slices of a tenth of a second's worth, each released when the rate allows.
        let slice = max(1, Int(rate / 10))
        var offset = 0
        while offset < bytes.count {
            let n = min(slice, bytes.count - offset)
            due = max(due, bandwidthFreeAt)
            append(Array(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)])), due: due)
            bandwidthFreeAt = due + Int64(Double(n) / rate * 1_000_000)
            offset += n
        }
        return lost
    }

    private mutating func append(_ bytes: [UInt8], due: Int64) {
        chunks.append(Chunk(bytes: bytes, due: due))
        queuedBytes += bytes.count
        lastDue = due
    }

    /// The first chunk if it is due at `now`.
    func due(at now: Int64) -> [UInt8]? {
        guard !isEmpty, chunks[head].due <= now else { return nil }
        return chunks[head].bytes
    }

    /// `count` bytes of the first chunk were written.
    mutating func consumed(_ count: Int) {
        guard !isEmpty else { return }
        queuedBytes -= count
        if count >= chunks[head].bytes.count {
            chunks[head].bytes = []
            head += 1
            if head == chunks.count {
                chunks.removeAll(keepingCapacity: false)
                head = 0
            } else if head > 64 && head * 2 > chunks.count {
                chunks.removeFirst(head)
                head = 0
            }
        } else {
            chunks[head].bytes.removeFirst(count)
        }
    }

    /// Drops everything held (the connection is going away).
    mutating func discard() {
        chunks = []
        head = 0
        queuedBytes = 0
    }
}
