import CMosquitto
import Dispatch
import Glibc
import NIOConcurrencyHelpers

/// The one thread that spawns the embedded broker and watches it. On Linux the parent-death signal
/// a child asks for belongs to the *thread* that forked it: a broker started from a thread that
/// later ends (a scenario's timeline, a worker) would be killed with that thread. So every spawn
/// runs here, on a thread that lives as long as the broker object, which also watches the process
/// (`watch`) between jobs.
///
/// The thread sleeps in `poll` on an eventfd (jobs, `finish`) and a pidfd of the watched process,
/// so a running broker costs no wakeups at all; it polled ten times a second before, a tenth of a
/// 1,000-device fleet's CPU. Where `pidfd_open` is missing (Linux before 5.3) it still polls.
final class BrokerKeeper: @unchecked Sendable {
    private let lock = NIOLock()
    private var jobs: [() -> Void] = []
    private var watched: (pid: () -> pid_t, changed: () -> Void)?
    private var finished = false
    private var thread: OSThread?
    /// Written by `run` and `finish` to wake the thread; -1 if `eventfd` failed (then it polls).
    private let wake: Int32
    private let ended = DispatchSemaphore(value: 0)

    /// How often the process is checked where no pidfd can be had.
    static let fallbackPollMilliseconds: Int32 = 100

    /// `wakeable: false` makes the keeper as if `eventfd` had failed (tests of the polling path).
    init(wakeable: Bool = true) {
        wake = wakeable ? eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK)) : -1
    }

    deinit { if wake >= 0 { close(wake) } }

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
        signal()
        done.wait()
        return out!
    }

    /// From now on, `changed` runs on the keeper thread whenever the process `pid()` names (read
    /// again after every job and check: a restart changes it) exits, or may have.
    func watch(pid: @escaping () -> pid_t, changed: @escaping () -> Void) {
        lock.withLock { watched = (pid, changed) }
        signal()
    }

    /// Ends the thread (waits for it unless called from it).
    func finish() {
        let running: OSThread? = lock.withLock {
            finished = true
            return thread
        }
        guard let running else { return }
        signal()
        if !running.isCurrent { ended.wait() }
    }

    private func signal() {
        guard wake >= 0 else { return }
        var one: UInt64 = 1
        _ = Glibc.write(wake, &one, 8)
    }

    private func loop() {
        var pidfd: Int32 = -1
        var pidfdOf: pid_t = -1
        defer {
            if pidfd >= 0 { close(pidfd) }
            ended.signal()
        }
        while true {
            let (todo, watch, stop) = lock.withLock { () -> ([() -> Void], (pid: () -> pid_t, changed: () -> Void)?, Bool) in
                defer { jobs.removeAll() }
                return (jobs, watched, finished)
            }
            for job in todo { job() }
            if stop { break }
            // The process to watch, after the jobs (a spawn changes it).
            let pid = watch?.pid() ?? -1
            if pid != pidfdOf {
                if pidfd >= 0 { close(pidfd) }
                pidfd = pid > 0 ? simfleet_pidfd_open(pid) : -1
                pidfdOf = pid
            }
            var fds = [pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
            if pidfd >= 0 { fds.append(pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)) }
            // With a pidfd nothing but a job or the process's end wakes the thread; without one
            // (no watch yet: no timeout either) the process is polled. Without an eventfd nothing
            // could wake it for a job, so it polls for those too rather than hang.
            let sleepsUntilWoken = wake >= 0 && (watch == nil || pidfd >= 0)
            let timeout: Int32 = sleepsUntilWoken ? -1 : Self.fallbackPollMilliseconds
            let n = poll(&fds, nfds_t(fds.count), timeout)
            if n > 0 && fds[0].revents != 0 {
                var count: UInt64 = 0
                _ = Glibc.read(wake, &count, 8)
            }
            let exited = pidfd >= 0 && fds.count > 1 && fds[1].revents != 0
            if let watch, exited || pidfd < 0 {
                watch.changed()
                if exited {  // checked: a new process (or none) is watched from the next round
                    close(pidfd)
                    pidfd = -1
                    pidfdOf = -1
                }
            }
        }
    }
}
