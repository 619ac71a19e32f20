import DeviceCore
import XCTest
@testable import SimFleet

/// Swarm testing finds what it is meant to find: a bug planted in a test build (a torn flash write
/// that also loses an eFuse burn — never in the shipped path) is caught by an invariant, shrunk to a
/// short schedule, and the same seed replays the same failure event for event.
final class SwarmTests: XCTestCase {
    let options = SwarmRun.Options(devices: 12, duration: .seconds(420))

    func testSeedsWithoutBugsHoldEveryInvariant() {
        let runner = SwarmRun(options: options)
        for seed: UInt64 in 1...4 {
            let result = runner.run(seed: seed)
            XCTAssertNil(result.violation, "seed \(seed): \(result.violation.map(String.init(describing:)) ?? "")")
            XCTAssertGreaterThan(result.committed, 0, "seed \(seed) updated something")
        }
    }

    func testAPlantedBugIsFoundByTheSwarmAndReplaysFromItsSeed() throws {
        var planted = options
        planted.plantedBug = .eFuseBurnLostOnTornWrite
        let buggy = SwarmRun(options: planted)
        var found: SwarmRun.Result?
        for seed: UInt64 in 1...200 {
            let result = buggy.run(seed: seed)
            if result.violation != nil {
                found = result
                break
            }
        }
        let failure = try XCTUnwrap(found, "the swarm found the planted bug within 200 seeds")
        let violation = try XCTUnwrap(failure.violation)
        XCTAssertEqual(violation.invariant, .antiRollbackNeverDown, violation.description)

        // The same seed replays the same failure, event for event.
        let replay = buggy.run(seed: failure.seed)
        XCTAssertEqual(replay.violation, violation)
        XCTAssertEqual(replay.trace, failure.trace)

        // Shrunk, the schedule keeps a torn power cut: the planted bug's trigger.
        let minimal = Swarm.shrink(failure, with: buggy)
        XCTAssertEqual(minimal.violation?.invariant, .antiRollbackNeverDown)
        XCTAssertLessThan(minimal.schedule.events.count, failure.schedule.events.count)
        XCTAssertTrue(minimal.schedule.events.contains { if case .tornCut = $0.kind { return true } else { return false } },
                      minimal.schedule.events.map(\.description).joined(separator: "\n"))
        XCTAssertTrue(Swarm.minimalTrace(minimal).contains { $0.contains("INVARIANT BROKEN") })

        // Without the bug, the same seed holds.
        XCTAssertNil(SwarmRun(options: options).run(seed: failure.seed).violation)
    }

    func testTheSameSeedGivesTheSameScheduleAndAnotherSeedAnother() {
        let a = SwarmSchedule.random(seed: 9, devices: 50, duration: .seconds(900))
        XCTAssertEqual(a, SwarmSchedule.random(seed: 9, devices: 50, duration: .seconds(900)))
        XCTAssertNotEqual(a, SwarmSchedule.random(seed: 10, devices: 50, duration: .seconds(900)))
        XCTAssertTrue(a.events.allSatisfy { $0.at <= .seconds(780) }, "the last two minutes are quiet")
    }

    func testTheSwarmCommandReportsAndRefusesBadRanges() throws {
        let ok = try Simfleet.run(["swarm", "--seeds", "1..3", "--devices", "5", "--duration", "4m"])
        XCTAssertEqual(ok.status, 0, ok.output)
        XCTAssertTrue(ok.output.contains("swarm: 3 seeds, 5 devices"), ok.output)
        XCTAssertTrue(ok.output.contains("every invariant held"), ok.output)
        let bad = try Simfleet.run(["swarm", "--seeds", "5..1"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.output.contains("--seeds wants a range like 1..1000"), bad.output)
    }
}
