import CMosquitto
import DeviceCore
import XCTest
@testable import SimFleet

/// The host keeps only hot state inline: features a device may never use live in a box made on
/// first use (`HostColdState`), fleet-wide values in shared objects. What a device reads back must
/// not change, and a device that uses no feature must not pay for the box.
final class DeviceHostColdStateTests: XCTestCase {
    /// Every device has a host: it must stay in a 656-byte heap block (it was 736 before the chip's
    /// otadata patches were shared and its counts made 32-bit; 16 bytes more cost each device 16).
    func testAHostFitsItsHeapBlock() {
        let reactor = Reactor(index: 0, tickMicros: 1000)
        let host = DeviceHost(spec: spec(0), endpoint: BrokerEndpoint(host: "127.0.0.1", port: 1883), powerOnAt: Instant(microseconds: 0),
                              reactor: reactor)
        XCTAssertLessThanOrEqual(malloc_usable_size(Unmanaged.passUnretained(host).toOpaque()), 656 - 8)
        XCTAssertLessThanOrEqual(MemoryLayout<DeviceChip?>.size, 104, "the chip in line: otadata patches are one shared reference")
    }

    func testAHostReadsDefaultsAndWritingThemAllocatesNoColdState() {
        let reactor = Reactor(index: 0, tickMicros: 1000)
        let host = DeviceHost(spec: spec(0), endpoint: BrokerEndpoint(host: "127.0.0.1", port: 1883), powerOnAt: Instant(microseconds: 0),
                              reactor: reactor)
        XCTAssertTrue(host.probes.isEmpty)
        XCTAssertFalse(host.probeWasAllowed)
        XCTAssertNil(host.telemetryLedger)
        XCTAssertNil(host.download)
        XCTAssertNil(host.accessPoint)
        XCTAssertNil(host.deviceHTTP)
        XCTAssertNil(host.observer)
        XCTAssertEqual(host.registrationState, .unregistered)
        XCTAssertNil(host.lastError)
        XCTAssertEqual(host.lastReturnCode, 0)
        host.probeWasAllowed = false
        host.download = nil
        host.telemetryLedger = nil
        host.registrationState = .unregistered
        host.lastError = nil
        host.lastReturnCode = 0
        XCTAssertNil(host.cold, "reading or resetting a feature never used allocates nothing")
        XCTAssertNil(host.failure, "never tried: no failure")
        XCTAssertEqual(host.mqttOptions, MQTTOptions())
        XCTAssertNil(host.registration)
        XCTAssertEqual(host.endpoint, BrokerEndpoint(host: "127.0.0.1", port: 1883))
    }

    func testAFeatureWrittenOnceIsKeptAndTheOthersStillReadTheirDefaults() {
        let reactor = Reactor(index: 0, tickMicros: 1000)
        let host = DeviceHost(spec: spec(0), endpoint: BrokerEndpoint(host: "127.0.0.1", port: 1883), powerOnAt: Instant(microseconds: 0),
                              reactor: reactor)
        host.attempts = 2
        host.note(.connectRefused, 5)
        XCTAssertNotNil(host.cold)
        XCTAssertEqual(host.failure, DeviceFailure(device: "cold-0", error: FleetErrorKind.connectRefused.key, returnCode: 5, attempts: 2))
        host.registrationState = .awaitingRetry(attempt: 2, at: Instant(microseconds: 7))
        XCTAssertEqual(host.registrationState, .awaitingRetry(attempt: 2, at: Instant(microseconds: 7)))
        host.probes.append((mid: 3, topic: "device/other/status", verdictAt: nil))
        host.probes[0].verdictAt = Instant(microseconds: 9)
        XCTAssertEqual(host.probes.count, 1)
        XCTAssertEqual(host.probeDeadline, Instant(microseconds: 9))
        XCTAssertNil(host.download)
        XCTAssertNil(host.deviceHTTP)
        XCTAssertEqual(host.lastError, .connectRefused, "one box holds every cold field")
    }

    func testFleetDevicesShareSettingsAndEndpointsAndPlainDevicesCarryNoColdState() throws {
        var c = FleetConfiguration(devices: 6, heartbeatMs: 500, qos: 1, rampPerSecond: 200, seed: 7, durationSeconds: 2, reactors: 1,
                                   drainSeconds: 5)
        c.idTemplate = "cold-{n}"
        let runner = FleetRunner(configuration: c)
        try runner.start()
        defer { if !runner.finished { runner.requestStop(); _ = runner.finish() } }
        awaitCondition("all online", timeout: 15) { runner.snapshot().online == 6 }
        let shard = try XCTUnwrap(runner.shards.first)
        let hosts = runner.syncOn(shard.reactor) { shard.hosts }
        let report = runner.finish()
        XCTAssertEqual(report.received, report.sent)
        XCTAssertGreaterThan(report.received, 0)
        XCTAssertEqual(hosts.count, 6)
        let first = try XCTUnwrap(hosts.first)
        for host in hosts {
            XCTAssertTrue(host.settings === first.settings, "one settings object for the fleet")
            XCTAssertNil(host.cold, "\(host.identity.id) heartbeated and used nothing else")
        }
        XCTAssertEqual(Set(hosts.map { ObjectIdentifier($0.route) }).count, Set(hosts.map(\.endpoint)).count,
                       "devices with equal endpoints share one object")
    }

    func testEmbeddedBrokerPasswordsAreFifteenBase64URLCharactersPerDevice() {
        let a = FleetRunner.devicePassword(id: "esp32c6-000001", secret: "s3cret")
        XCTAssertEqual(a.utf8.count, 15, "short enough to stay an inline string")
        XCTAssertTrue(a.utf8.allSatisfy { UInt8(ascii: "A")...UInt8(ascii: "Z") ~= $0 || UInt8(ascii: "a")...UInt8(ascii: "z") ~= $0
                || UInt8(ascii: "0")...UInt8(ascii: "9") ~= $0 || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") })
        XCTAssertEqual(a, FleetRunner.devicePassword(id: "esp32c6-000001", secret: "s3cret"), "the same device and run: the same password")
        XCTAssertNotEqual(a, FleetRunner.devicePassword(id: "esp32c6-000002", secret: "s3cret"))
        XCTAssertNotEqual(a, FleetRunner.devicePassword(id: "esp32c6-000001", secret: "other"))
    }

    private func spec(_ index: Int) -> DeviceSpec {
        DeviceSpec(index: index, id: "cold-\(index)", mac: [0x24, 0x6F, 0x28, 0, 0, UInt8(index)], chip: .esp32, firmwareVersion: "1.0.0",
                   heartbeatMs: 200, qos: 1, provisioned: true, username: nil, password: nil, seed: 7)
    }
}
