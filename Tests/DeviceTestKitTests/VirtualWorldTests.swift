import DeviceCore
import DeviceTestKit
import XCTest

/// A DeviceCore device in a whole simulated world: radio, links, broker, origin, chip, one clock.
final class VirtualWorldTests: XCTestCase {
    typealias WorldDevice = SimulatedDevice<Device<SoftwareCrypto>, SoftwareCrypto>

    func makeDevice(_ world: VirtualWorld, seed: UInt64 = 5) throws -> WorldDevice {
        var config = DeviceConfig(baseMAC: [0x24, 0x0A, 0xC4, 0x01, 0x02, 0x03], firmwareVersion: "1.0.0", randomSeed: seed,
                                  wifi: DeviceHarness.homeWiFi)
        config.heartbeatInterval = .seconds(10)
        config.heartbeatQoS = 1
        return try WorldDevice(config: config, factoryImage: TestImages.simple("1.0.0", payload: 20_000), world: world)
    }

    func install(_ version: String, on device: WorldDevice, world: VirtualWorld) {
        let image = TestImages.simple(version, payload: 60_000)
        world.origin.put("fw-" + version + ".bin", image)
        world.publish(device.firmware.topics.ota, #"{"version":"\#(version)","url":"\#(world.origin.url(of: "fw-" + version + ".bin"))"}"#)
    }

    func testHeartbeatsReachTheBackendEveryIntervalOnceOnline() throws {
        let world = VirtualWorld(seed: 1)
        let status = world.listen(to: "device/+/status")
        let device = try makeDevice(world)
        device.powerOn()
        world.advanceTime(by: .seconds(61))
        let seqs = status.json(on: device.firmware.topics.status).compactMap { $0["seq"]?.int64Value }
        XCTAssertEqual(seqs, Array(1...7), "the retained online status, then six heartbeats")
        XCTAssertEqual(device.firmware.reportedState, .online)
    }

    func testAnOTACommandDownloadsVerifiesRebootsAndComesBackOnTheNewVersion() throws {
        let world = VirtualWorld(seed: 2)
        let device = try makeDevice(world)
        device.powerOn()
        world.advanceTime(by: .seconds(5))
        install("1.1.0", on: device, world: world)
        XCTAssertTrue(world.run(until: { device.chip.runningVersion == "1.1.0" && device.firmware.reportedState == .online },
                                limit: .seconds(60)))
        world.advanceTime(by: .seconds(30))
        XCTAssertEqual(device.boots.count, 2)
        XCTAssertEqual(device.chip.otadata.entries.map(\.state).contains(.valid), true, "confirmed once online")
    }

    func testAPowerCutDuringTheImageWriteBootsTheOldImageAndTheRetryLands() throws {
        let world = VirtualWorld(seed: 3)
        let device = try makeDevice(world)
        device.powerOn()
        world.advanceTime(by: .seconds(5))
        device.cutPower(atFlashOperation: 4, offFor: .seconds(2))
        install("1.1.0", on: device, world: world)
        world.advanceTime(by: .seconds(20))
        XCTAssertEqual(device.chip.runningVersion, "1.0.0", "otadata never pointed at the torn slot")
        XCTAssertEqual(device.chip.boots, 2)
        install("1.1.0", on: device, world: world)
        XCTAssertTrue(world.run(until: { device.chip.runningVersion == "1.1.0" }, limit: .seconds(60)))
    }

    func testABrokerRestartFiresNoWillButTheDeviceReconnectsWithBackoff() throws {
        let world = VirtualWorld(seed: 4)
        let device = try makeDevice(world)
        device.powerOn()
        world.advanceTime(by: .seconds(5))
        world.broker.restart(downFor: .seconds(10))
        XCTAssertFalse(world.broker.isConnected(device.firmware.config.deviceID))
        XCTAssertTrue(world.run(until: { world.broker.isConnected(device.firmware.config.deviceID) }, limit: .seconds(120)))
        XCTAssertGreaterThanOrEqual(world.now, Simulation.epoch + .seconds(15))
    }

    func testAPartitionedDeviceLeavesItsWillAndComesBack() throws {
        let world = VirtualWorld(seed: 6)
        let status = world.listen(to: "device/+/status")
        let device = try makeDevice(world)
        device.powerOn()
        world.advanceTime(by: .seconds(5))
        world.network.partition(device.id, world.brokerEndpoint, for: .seconds(30))
        XCTAssertEqual(status.messages.last?.text, #"{"state":"offline"}"#)
        XCTAssertTrue(world.run(until: { world.broker.isConnected(device.id) }, limit: .seconds(120)))
        XCTAssertGreaterThanOrEqual(world.now, Simulation.epoch + .seconds(35))
    }

    func testTheSameSeedReplaysTheSameRunEventForEvent() throws {
        func run(_ seed: UInt64) throws -> [String] {
            let world = VirtualWorld(seed: seed, links: LinkConditions(latency: .milliseconds(3), jitter: .milliseconds(20), loss: 0.1))
            let device = try makeDevice(world, seed: seed)
            device.powerOn()
            world.advanceTime(by: .seconds(3))
            install("1.1.0", on: device, world: world)
            world.origin.faults = [.init(.drop(fraction: 0.4))]
            world.advanceTime(by: .seconds(40))
            world.broker.restart(downFor: .seconds(3))
            world.advanceTime(by: .seconds(60))
            return world.simulation.trace.map(\.description) + device.published.map { String(decoding: $0.payload, as: UTF8.self) }
        }
        let a = try run(11), b = try run(11), c = try run(12)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
        XCTAssertGreaterThan(a.count, 10)
    }
}
