import DeviceCore
import DeviceTestKit
import SensorFirmware
import XCTest

/// The sensor task is firmware the simulator knows nothing about: the kit runs it like DeviceCore's
/// own `Device`, on the same chip model.
extension SensorFirmware: SimulatedFirmware {}

/// The sensor task tested the way a firmware team would: the whole device in a simulated world
/// (WiFi, a broker, a firmware origin, flash with power cuts), on a virtual clock, from the
/// backend's side of the status topic.
final class SensorFirmwareTests: XCTestCase {
    typealias Board = SimulatedDevice<SensorFirmware<SoftwareCrypto>, SoftwareCrypto>

    var world: VirtualWorld!
    var status: MessageLog!
    var board: Board!

    override func setUpWithError() throws {
        world = VirtualWorld(seed: 7)
        status = world.listen(to: "device/+/status")
        var config = DeviceConfig(baseMAC: [0x24, 0x0A, 0xC4, 0x5E, 0x45, 0x01], firmwareVersion: "1.0.0", randomSeed: 7,
                                  wifi: WiFiCredentials(ssid: "home", password: "hunter22"))
        config.heartbeatInterval = .seconds(10)
        config.heartbeatQoS = 1
        var chip = Chip<SoftwareCrypto, NORFlash>(ota: config.otaConfig)
        try chip.install(TestImages.simple("1.0.0", payload: 20_000), slot: 0)
        board = Board(id: config.deviceID, firmware: SensorFirmware(config: config), chip: chip, world: world)
        board.powerOn()
    }

    /// The sensor objects of the heartbeats the backend received, in order.
    var readings: [JSONValue] { status.json(on: board.firmware.core.topics.status).compactMap { $0["sensor"] } }
    var lastTotal: Int64 { readings.last?["total"]?.int64Value ?? -1 }

    func testEveryHeartbeatCarriesTheSensorReading() {
        world.advanceTime(by: .seconds(61))
        let r = readings
        XCTAssertGreaterThanOrEqual(r.count, 6, "a sensor object in the online status and every heartbeat")
        let samples = r.compactMap { $0["samples"]?.int64Value }
        XCTAssertEqual(samples, samples.sorted(), "samples only grow within a power cycle")
        XCTAssertEqual(samples.last, 30, "one sample every 2 s for 60 s")
        let temperatures = r.compactMap { $0["t_dc"]?.int64Value }
        XCTAssertFalse(temperatures.isEmpty)
        XCTAssertTrue(temperatures.allSatisfy { (190...270).contains($0) }, "\(temperatures)")
    }

    func testTheLifetimeCountSurvivesAPowerCut() {
        world.advanceTime(by: .seconds(61))
        XCTAssertEqual(board.firmware.counter.persisted, 30, "persisted every 10 samples")
        board.cutPower(for: .seconds(5))
        world.advanceTime(by: .seconds(30))
        XCTAssertEqual(board.chip.boots, 2)
        XCTAssertEqual(readings.last?["samples"]?.int64Value.map { $0 < 30 }, true, "a new power cycle counts from 0")
        XCTAssertGreaterThanOrEqual(lastTotal, 30, "the lifetime count came back from flash")
    }

    func testATornCounterWriteKeepsTheLastGoodCount() {
        world.advanceTime(by: .seconds(41))
        XCTAssertEqual(board.firmware.counter.persisted, 20)
        // The next persist (at 30 samples) is an erase and a write: the write lands half-way.
        board.cutPower(atFlashOperation: 2, offFor: .seconds(3), numerator: 1, denominator: 2)
        world.advanceTime(by: .seconds(30))
        XCTAssertEqual(board.chip.boots, 2, "power was cut during the counter's write")
        XCTAssertEqual(board.firmware.counter.persisted, 20, "the torn record is refused by its CRC; the other copy stands")
        world.advanceTime(by: .seconds(30))
        XCTAssertEqual(board.firmware.counter.persisted, 30, "and the next write lands")
    }

    func testTheSensorKeepsReportingAcrossAnOTAUpdate() {
        world.advanceTime(by: .seconds(25))
        let before = board.firmware.counter.persisted
        XCTAssertGreaterThan(before, 0)
        world.origin.put("fw-1.1.0.bin", TestImages.simple("1.1.0", payload: 30_000))
        world.publish(board.firmware.core.topics.ota, #"{"version":"1.1.0","url":"\#(world.origin.url(of: "fw-1.1.0.bin"))"}"#)
        XCTAssertTrue(world.run(until: { self.board.chip.runningVersion == "1.1.0" }, limit: .seconds(60)))
        world.advanceTime(by: .seconds(30))
        let after = status.json(on: board.firmware.core.topics.status).last { $0["fw"]?.stringValue == "1.1.0" }
        XCTAssertNotNil(after?["sensor"], "the new image reports the sensor too")
        XCTAssertGreaterThanOrEqual(lastTotal, Int64(before), "OTA writes the app slot, never the sensor's data")
        XCTAssertEqual(board.chip.otadata.entries.map(\.state).contains(.valid), true, "1.1.0 confirmed after reaching the broker")
    }
}
