import DeviceCore

/// The one seeded scheduler a simulated world runs on, in the manner of NIO's `EmbeddedEventLoop`:
/// time moves only when the test says so (`advanceTime(by:)`, `run(until:)`), jobs due at the same
/// instant run in the order they were scheduled, and every random choice comes from streams derived
/// from `seed`. The same seed and the same calls replay the same run, event for event; `trace`
/// keeps what happened so a failing test can print it.
public final class Simulation {
    /// The seed every random stream of this run derives from.
    public let seed: UInt64
    /// Virtual now. Starts at `start` and only moves forward.
    // `now` and `queue` are read at every step of a virtual-time fleet (several times per
    // heartbeat); a simulation runs on one thread and no access to either spans a job's body (a
    // job is popped before it runs), so the runtime's exclusivity bookkeeping is left out for them.
    @exclusivity(unchecked) public private(set) var now: Instant
    /// Jobs run so far.
    public private(set) var jobsRun = 0
    /// The last `traceLimit` labelled jobs and notes, oldest first.
    public private(set) var trace: [TraceEntry] = []
    /// How many trace entries are kept (older ones are dropped first).
    public var traceLimit = 10_000

    @exclusivity(unchecked) private var queue = TimerQueue<Job>()
    private var cancelled: Set<UInt64> = []
    private var nextID: UInt64 = 0

    /// One line of the trace: when, and what.
    public struct TraceEntry: Equatable, Sendable, CustomStringConvertible {
        public var at: Instant
        public var what: String
        public var description: String { "[" + Simulation.format(at) + "] " + what }
    }

    /// A scheduled job; pass it to `cancel`.
    public struct Ticket: Hashable, Sendable {
        fileprivate let id: UInt64
    }

    private struct Job {
        let id: UInt64
        let label: String?
        let body: () -> Void
    }

    /// 2025-11-29 06:00:00 UTC: status messages carry realistic epoch timestamps.
    public static let epoch = Instant(milliseconds: 1_764_396_000_000)

    public init(seed: UInt64 = 1, start: Instant = Simulation.epoch) {
        self.seed = seed
        self.now = start
    }

    // MARK: - Scheduling

    /// Runs `body` at `at` (at once on the next advance when `at` is in the past). `label`, when
    /// given, goes into the trace when the job runs.
    @discardableResult
    public func schedule(at: Instant, _ label: String? = nil, _ body: @escaping () -> Void) -> Ticket {
        nextID &+= 1
        queue.push(Job(id: nextID, label: label, body: body), at: max(at, now))
        return Ticket(id: nextID)
    }

    /// Runs `body` `delay` from now.
    @discardableResult
    public func schedule(after delay: TimeSpan, _ label: String? = nil, _ body: @escaping () -> Void) -> Ticket {
        schedule(at: now + delay, label, body)
    }

    /// The job will not run (nothing happens if it already has).
    public func cancel(_ ticket: Ticket) { cancelled.insert(ticket.id) }

    /// When the next job is due; nil when nothing is scheduled.
    public var nextJobAt: Instant? { queue.nextInstant }

    // MARK: - Moving time

    /// Runs every job due up to `now + span`, in order, then leaves the clock there.
    public func advanceTime(by span: TimeSpan) { advanceTime(to: now + span) }

    /// Runs every job due up to `instant`, in order, then leaves the clock there.
    public func advanceTime(to instant: Instant) {
        while let next = queue.nextInstant, next <= instant { runNext() }
        if instant > now { now = instant }
    }

    /// Runs jobs until `condition` holds, for at most `limit` of virtual time. True when it held.
    @discardableResult
    public func run(until condition: () -> Bool, limit: TimeSpan) -> Bool {
        let end = now + limit
        while !condition() {
            guard let next = queue.nextInstant, next <= end else {
                now = max(now, end)
                return condition()
            }
            runNext()
        }
        return true
    }

    /// Runs jobs until none is left or `limit` of virtual time has passed. True when idle.
    @discardableResult
    public func runUntilIdle(limit: TimeSpan = .seconds(86_400)) -> Bool {
        run(until: { queue.isEmpty }, limit: limit)
    }

    private func runNext() {
        guard let (at, job) = queue.pop() else { return }
        if now < at { now = at }
        if cancelled.remove(job.id) != nil { return }
        jobsRun += 1
        if let label = job.label { note(label) }
        job.body()
    }

    // MARK: - Randomness and trace

    /// An independent random stream for `purpose` (a component's name): the same seed and purpose
    /// give the same stream, and adding a component does not shift the others'.
    public func random(_ purpose: String) -> SeededRandom {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in purpose.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        var mixer = SeededRandom(seed: seed ^ h)
        return SeededRandom(seed: mixer.next())
    }

    /// Adds a line to the trace at the current instant.
    public func note(_ what: String) {
        if trace.count >= traceLimit { trace.removeFirst(max(1, traceLimit / 10)) }
        trace.append(TraceEntry(at: now, what: what))
    }

    /// `+12.345s` style offset of an instant from `epoch`, for traces.
    public static func format(_ at: Instant) -> String {
        let micros = at.microseconds - epoch.microseconds
        let sign = micros < 0 ? "-" : "+"
        let m = micros < 0 ? -micros : micros
        var ms = String(m / 1000 % 1000)
        while ms.count < 3 { ms = "0" + ms }
        return sign + String(m / 1_000_000) + "." + ms + "s"
    }
}
