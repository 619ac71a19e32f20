import DeviceCore
import Foundation
import XCTest
@testable import SimFleet

/// Persistent sessions: a command published while a device's link was dark waits in the broker's
/// session and reaches the device when it reconnects; with a clean session it is gone.
final class PersistentSessionTests: XCTestCase {
    /// Two devices, keepalive 5 s, behind the fault proxy, with an update to install.
    private func fleet(cleanSession: Bool, version: MQTTOptions.Version = .v311) -> FleetConfiguration {
        var c = OTAFleet.configuration(devices: 2, OTAFleet.options(releases: ["1.1.0"], payload: 64_000))
        c.proxiedDevices = .all
        c.keepAliveSeconds = 5
        c.mqtt = MQTTOptions(version: version, cleanSession: cleanSession)
        return c
    }

    /// Blackholes the link until the broker has dropped both sessions (their wills fired), sends
    /// the update command then, and ends the outage.
    private func commandDuringOutage(_ runner: FleetRunner) throws {
        awaitCondition("all online", timeout: 20) { runner.snapshot().online == 2 }
        try runner.beginBrokerOutage(.blackhole)
        // The broker gives up on a silent client after 1.5 × keepalive and publishes its will.
        awaitCondition("the broker dropped both sessions", timeout: 40) { runner.observedOffline().count == 2 }
        try OTAFleet.install("1.1.0", on: runner, devices: [0, 1])
        Thread.sleep(forTimeInterval: 1)
        runner.endBrokerOutage()
    }

    func testACommandSentDuringABlackholeIsInstalledAfterWithAPersistentSession() throws {
        let runner = FleetRunner(configuration: fleet(cleanSession: false))
        try runner.start()
        defer { runner.requestStop() }
        try commandDuringOutage(runner)
        awaitCondition("both devices installed the update", timeout: 120) {
            runner.runningVersions(devices: [0, 1]).values.allSatisfy { $0 == "1.1.0" }
        }
    }

    func testMQTT5SessionExpiryKeepsTheSessionLikeCleanSessionFalse() throws {
        let runner = FleetRunner(configuration: fleet(cleanSession: false, version: .v5))
        try runner.start()
        defer { runner.requestStop() }
        try commandDuringOutage(runner)
        awaitCondition("both devices installed the update", timeout: 120) {
            runner.runningVersions(devices: [0, 1]).values.allSatisfy { $0 == "1.1.0" }
        }
    }

    func testWithACleanSessionTheCommandIsLost() throws {
        let runner = FleetRunner(configuration: fleet(cleanSession: true))
        try runner.start()
        defer { runner.requestStop() }
        try commandDuringOutage(runner)
        awaitCondition("both devices back", timeout: 90) { runner.snapshot().online == 2 && runner.snapshot().reconnects >= 2 }
        Thread.sleep(forTimeInterval: 5)
        XCTAssertEqual(runner.runningVersions(devices: [0, 1]).values.sorted(), ["1.0.0", "1.0.0"],
                       "nobody kept the command for them")
    }
}
