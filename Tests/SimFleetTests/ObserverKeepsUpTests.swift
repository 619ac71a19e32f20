import Foundation
import XCTest
@testable import SimFleet

/// The observer is the run's measuring instrument: on a broker with tight per-client limits it must
/// still hear every heartbeat, or the report blames the backend for what the observer missed.
final class ObserverKeepsUpTests: XCTestCase {
    /// mosquitto keeps at most `max_inflight_messages` unacknowledged QoS 1 messages per subscriber and
    /// queues `max_queued_messages` more; beyond that it drops ("Outgoing messages are being dropped").
    /// An observer subscribed with QoS 1 is paced by its acknowledgements, so a burst of heartbeats
    /// overflowed that queue (660 lost in the 16,000-device run of scripts/shard-proof).
    func testABurstOfHeartbeatsIsAllObservedOnABrokerWithTightQueueLimits() throws {
        let broker = try PlainBroker(settings: "max_inflight_messages 1\nmax_queued_messages 10")
        defer { broker.stop() }
        let run = try ScenarioStepRun("""
            name: burst
            seed: 4
            duration: 6s
            backend:
              broker: \(broker.url)
            fleet:
              - name: field
                count: 300
                heartbeat: 1s
                qos: 1
                ramp: 3000/s
            """)
        awaitCondition("1,200 heartbeats acknowledged", timeout: 30) { run.runner.snapshot().sent >= 1200 }
        let report = run.finish()
        XCTAssertGreaterThanOrEqual(report.sent, 1200)
        XCTAssertEqual(report.received, report.sent, "every acknowledged heartbeat reached the observer")
        XCTAssertEqual(report.lost, 0)
    }
}
