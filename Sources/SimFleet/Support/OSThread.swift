import CMosquitto
import Glibc
import Synchronization

/// A named OS thread over pthreads, for the loops SimFleet runs on threads of their own (reactors, the
/// broker keeper, the scenario timeline). Foundation's `Thread` would make every run execute
/// Foundation and CoreFoundation code, which then stays resident.
final class OSThread: Sendable {
    /// The thread's pthread id; stored by both the creator and the thread itself, so `isCurrent`
    /// is right from the thread's first instruction.
    private let id = Atomic<UInt>(0)
    private let joined = Atomic<Bool>(false)

    /// Starts `body` on a new thread named `name` (Linux keeps the first 15 bytes) with a stack of
    /// `stackSize` bytes (0: the system's default).
    init(name: String, stackSize: Int = 0, _ body: @escaping @Sendable () -> Void) {
        var attr = pthread_attr_t()
        pthread_attr_init(&attr)
        defer { pthread_attr_destroy(&attr) }
        if stackSize > 0 { pthread_attr_setstacksize(&attr, stackSize) }
        let start = Unmanaged.passRetained(Start(thread: self, name: name, body: body)).toOpaque()
        var handle = pthread_t()
        let rc = pthread_create(&handle, &attr, { raw in
            let start = Unmanaged<Start>.fromOpaque(raw!).takeRetainedValue()
            start.thread.id.store(pthread_self(), ordering: .releasing)
            simfleet_name_current_thread(start.name)
            start.body()
            return nil
        }, start)
        precondition(rc == 0, "pthread_create failed: \(rc)")
        id.store(handle, ordering: .releasing)
    }

    deinit {
        // A thread nobody joined releases its stack when it ends.
        if !joined.load(ordering: .acquiring) { pthread_detach(id.load(ordering: .acquiring)) }
    }

    /// Whether the caller runs on this thread.
    var isCurrent: Bool { pthread_equal(id.load(ordering: .acquiring), pthread_self()) != 0 }

    /// Waits for the thread to end (at most once; never from the thread itself).
    func join() {
        guard !joined.exchange(true, ordering: .acquiringAndReleasing) else { return }
        pthread_join(id.load(ordering: .acquiring), nil)
    }

    /// Suspends the calling thread for `seconds` (restarted after signals).
    static func sleep(seconds: Double) {
        guard seconds > 0 else { return }
        var left = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
        var rest = timespec()
        while nanosleep(&left, &rest) == -1 && errno == EINTR { left = rest }
    }

    private final class Start {
        let thread: OSThread
        let name: String
        let body: @Sendable () -> Void
        init(thread: OSThread, name: String, body: @escaping @Sendable () -> Void) {
            self.thread = thread
            self.name = name
            self.body = body
        }
    }
}
