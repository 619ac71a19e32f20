import DeviceCore
import Foundation
import NIOCore
import XCTest
@testable import SimFleet

/// `rollout`, `firmware_fault` and `power_loss_during_flash` in virtual time: commands through the
/// scripted broker, downloads from the scripted origin, faults landing exactly on the plan's
/// devices. (The same steps on sockets: `scripts/run-scenarios` and `VirtualTimeEquivalenceTests`.)
final class OTAStepTests: XCTestCase {
    func testMQTTRolloutUpdatesExactlyThePlannedCohort() throws {
        let run = try VirtualStepRun(otaScenario(count: 6, """
          - after: all_online
            rollout: {version: 1.1.0, cohort: 50%, via: mqtt}
        """))
        let cohort = run.targets(0)
        XCTAssertEqual(cohort.count, 3)
        advance(run.fleet, until: "the cohort runs 1.1.0", limit: .seconds(30)) { run.versions().values.filter { $0 == "1.1.0" }.count == 3 }
        let versions = run.versions()
        XCTAssertEqual(versions.filter { $0.value == "1.1.0" }.keys.sorted(), cohort)
        let report = run.finish()
        XCTAssertEqual(report.commands, 3)
        XCTAssertEqual(report.otaOutcomes?.succeeded, 3)
        XCTAssertEqual(report.versions, ["1.0.0": 3, "1.1.0": 3])
    }

    func testManifestRolloutPublishesTheVersionAndTheCohortChecks() throws {
        let run = try VirtualStepRun(otaScenario(count: 3, """
          - after: all_online
            rollout: {version: 1.1.0, cohort: 2, via: manifest}
        """))
        advance(run.fleet, until: "two devices found 1.1.0 in the manifest", limit: .seconds(30)) {
            run.versions().values.filter { $0 == "1.1.0" }.count == 2
        }
        XCTAssertEqual(run.versions().filter { $0.value == "1.1.0" }.keys.sorted(), run.targets(0))
        let manifest = try XCTUnwrap(run.fleet.originFile("manifest.json"))
        XCTAssertTrue(String(decoding: manifest, as: UTF8.self).contains("1.1.0"))
        let report = run.finish()
        XCTAssertEqual(report.versions, ["1.0.0": 1, "1.1.0": 2])
    }

    func testRolloutFromAVersionSkipsDevicesAlreadyUpdated() throws {
        let run = try VirtualStepRun(otaScenario(count: 4, """
          - after: all_online
            rollout: {version: 1.1.0, cohort: 1}
          - after: 'fleet.version["1.1.0"] >= 1'
            timeout: 30s
            rollout: {version: 1.1.0, cohort: all, from_version: 1.0.0}
        """))
        advance(run.fleet, until: "everyone on 1.1.0", limit: .seconds(40)) { run.versions().values.allSatisfy { $0 == "1.1.0" } }
        let report = run.finish()
        XCTAssertEqual(report.commands, 4, "the canary got one command, the other three one each")
        XCTAssertEqual(report.otaOutcomes?.refused, 0, "nobody was told to install what it runs")
    }

    func testCorruptFaultSpoilsExactlyThePlannedDevicesDownloads() throws {
        let run = try VirtualStepRun(otaScenario(count: 6, """
          - after: all_online
            firmware_fault: {kind: corrupt, downloads: 50%, version: 1.1.0}
          - rollout: {version: 1.1.0, cohort: all}
        """))
        let spoiled = run.targets(0)
        XCTAssertEqual(spoiled.count, 3)
        advance(run.fleet, until: "the others updated", limit: .seconds(30)) { run.versions().values.filter { $0 == "1.1.0" }.count == 3 }
        advance(run.fleet, until: "every download answered", limit: .seconds(10)) { run.fleet.originStats().requests >= 6 }
        XCTAssertEqual(run.versions().filter { $0.value == "1.0.0" }.keys.sorted(), spoiled)
        let report = run.finish()
        XCTAssertEqual(report.originStats?.corrupted, 3)
        XCTAssertEqual(report.otaOutcomes?.refused, 3)
        XCTAssertEqual(report.bricked, 0)
    }

    func testDroppedDownloadsResumeAndTruncatedOnesAreRefused() throws {
        let run = try VirtualStepRun(otaScenario(count: 4, size: "128KB", """
          - after: all_online
            firmware_fault: {kind: drop, at: 50%, downloads: 50%}
          - firmware_fault: {kind: truncate, at: 30%, downloads: 100%}
          - rollout: {version: 1.1.0, cohort: all}
        """))
        let dropped = Set(run.targets(0))
        advance(run.fleet, until: "the dropped devices resumed and installed", limit: .seconds(30)) {
            Set(run.versions().filter { $0.value == "1.1.0" }.keys) == dropped
        }
        advance(run.fleet, until: "the truncated ones refused", limit: .seconds(15)) { run.fleet.otaOutcomes().refused == 2 }
        let report = run.finish()
        XCTAssertEqual(report.originStats?.dropped, 2)
        XCTAssertEqual(report.originStats?.rangeResponses, 2, "each resumed with a Range request")
        XCTAssertEqual(report.originStats?.truncated, 2, "the first matching fault wins: dropped devices are not truncated")
        XCTAssertEqual(report.versions, ["1.0.0": 2, "1.1.0": 2])
    }

    func testPowerLossDuringFlashWriteBootsTheOldImage() throws {
        let run = try VirtualStepRun(otaScenario(count: 3, size: "256KB", """
          - after: all_online
            device_fault: {kind: power_loss_during_flash, devices: 1}
          - rollout: {version: 1.1.0, cohort: all}
        """))
        let cut = run.targets(0)
        advance(run.fleet, until: "two devices updated", limit: .seconds(30)) { run.versions().values.filter { $0 == "1.1.0" }.count == 2 }
        advance(run.fleet, until: "the cut device is back online", limit: .seconds(15)) { run.fleet.snapshot().online == 3 }
        XCTAssertEqual(run.versions()[cut[0]], "1.0.0", "otadata never pointed at the torn image")
        let report = run.finish()
        XCTAssertEqual(report.powerCutsDuringFlash, 1)
        XCTAssertEqual(report.bricked, 0)
        XCTAssertEqual(report.rollbacks, 0)
    }
}
