import CMosquitto
import Foundation
import Synchronization
import XCTest
@testable import SimFleet

/// The keeper watches the embedded broker's process without a timer: a process that keeps running
/// wakes it never, and one that ends wakes it at once (the broker is restarted from there).
final class BrokerKeeperTests: XCTestCase {
    func testAWatchedProcessWakesTheKeeperOnlyWhenItEnds() throws {
        let keeper = BrokerKeeper()
        defer { keeper.finish() }
        let child: pid_t = keeper.run {
            var args: [UnsafeMutablePointer<CChar>?] = ["sleep", "30"].map { (s: String) in strdup(s) } + [nil]
            defer { for a in args { free(a) } }
            return simfleet_spawn_child("sleep", &args, -1)
        }
        XCTAssertGreaterThan(child, 0)
        let reads = Atomic<Int>(0), changes = Atomic<Int>(0), reaped = Atomic<Bool>(false)
        keeper.watch(pid: {
            reads.add(1, ordering: .relaxed)
            return reaped.load(ordering: .relaxed) ? -1 : child
        }, changed: {
            changes.add(1, ordering: .relaxed)
            var status: Int32 = 0
            if waitpid(child, &status, WNOHANG) == child { reaped.store(true, ordering: .relaxed) }
        })
        Thread.sleep(forTimeInterval: 0.6)
        XCTAssertLessThanOrEqual(reads.load(ordering: .relaxed), 2, "no polling while the process runs (it read the pid \(reads.load(ordering: .relaxed)) times)")
        XCTAssertEqual(changes.load(ordering: .relaxed), 0)

        kill(child, SIGKILL)
        awaitCondition("the keeper saw the exit", timeout: 2) { reaped.load(ordering: .relaxed) }
        XCTAssertEqual(changes.load(ordering: .relaxed), 1, "one wakeup for one exit")
    }

    /// Where `eventfd` failed nothing can wake the thread for a job: it polls for jobs instead of
    /// sleeping for good (a broker's spawn would hang otherwise).
    func testAKeeperWithoutAnEventfdStillRunsEveryJob() {
        let keeper = BrokerKeeper(wakeable: false)
        let results = Mutex<[Int]>([])
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            for k in 1...3 {
                let r = keeper.run { k * 10 }
                results.withLock { $0.append(r) }
            }
            keeper.finish()
            done.signal()
        }
        XCTAssertEqual(done.wait(timeout: .now() + 5), .success, "three jobs and a finish within 5 s")
        XCTAssertEqual(results.withLock { $0 }, [10, 20, 30])
    }
}
