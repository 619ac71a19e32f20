import Dispatch
import NIOConcurrencyHelpers

/// The one thread that spawns the embedded broker and watches it. On Linux the parent-death signal
/// a child asks for belongs to the *thread* that forked it: a broker started from a thread that
/// later ends (a scenario's timeline, a worker) would be killed with that thread. So every spawn
/// runs here, on a thread that lives as long as the broker object, which also polls the process
/// (`watch`) ten times a second between jobs.
final class BrokerKeeper: @unchecked Sendable {
    private let lock = NIOLock()
    private var jobs: [() -> Void] = []
    private var tick: (() -> Void)?
    private var finished = false
    private var thread: OSThread?
    private let wake = DispatchSemaphore(value: 0)
    private let ended = DispatchSemaphore(value: 0)

    /// Runs `body` on the keeper thread and returns its result.
    func run<T>(_ body: @escaping () -> T) -> T {
        if let thread, thread.isCurrent { return body() }
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var out: T?
        lock.withLock {
            if thread == nil {
                thread = OSThread(name: "simfleet-broker-keeper") { [self] in loop() }
            }
            jobs.append {
                out = body()
                done.signal()
            }
        }
        wake.signal()
        done.wait()
        return out!
    }

    /// Called on the keeper thread every 100 ms from now on (replaces the previous one).
    func watch(_ body: @escaping () -> Void) { lock.withLock { tick = body } }

    /// Ends the thread (waits for it unless called from it).
    func finish() {
        let running: OSThread? = lock.withLock {
            finished = true
            return thread
        }
        guard let running else { return }
        wake.signal()
        if !running.isCurrent { ended.wait() }
    }

    private func loop() {
        while true {
            _ = wake.wait(timeout: .now() + .milliseconds(100))
            let (todo, check, stop) = lock.withLock { () -> ([() -> Void], (() -> Void)?, Bool) in
                defer { jobs.removeAll() }
                return (jobs, tick, finished)
            }
            for job in todo { job() }
            if stop { break }
            check?()
        }
        ended.signal()
    }
}
