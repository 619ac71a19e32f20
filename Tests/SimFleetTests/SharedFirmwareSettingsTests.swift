import XCTest
import DeviceCore
@testable import SimFleet

/// A fleet's devices are built with one copy of their group's configuration, and the same values.
final class SharedFirmwareSettingsTests: XCTestCase {
    private func spec(_ i: Int, heartbeatMs: Int64 = 10_000) -> DeviceSpec {
        DeviceSpec(index: i, id: "dev-\(i)", mac: [0x24, 0x0A, 0xC4, 0, 0, UInt8(i)], chip: .esp32c6,
                   firmwareVersion: "1.0.0", heartbeatMs: heartbeatMs, qos: 1, provisioned: true,
                   username: "dev-\(i)", password: "secret-\(i)", seed: UInt64(i))
    }

    func testDevicesOfOneGroupShareTheirSettingsAndKeepTheirIdentity() {
        let settings = SharedFirmwareSettings()
        let first = settings.config(for: spec(1))
        let second = settings.config(for: spec(2))
        XCTAssertTrue(second.sharesSettings(with: first))
        XCTAssertEqual(second, spec(2).firmwareConfig, "sharing changes no value")
        XCTAssertEqual(second.deviceID, "dev-2")
        XCTAssertEqual(second.mqttPassword, "secret-2")
    }

    func testGroupsWithOtherSettingsGetTheirOwnCopy() {
        let settings = SharedFirmwareSettings()
        let slow = settings.config(for: spec(1, heartbeatMs: 60_000))
        let fast = settings.config(for: spec(2))
        let fastToo = settings.config(for: spec(3))
        XCTAssertFalse(fast.sharesSettings(with: slow))
        XCTAssertEqual(fast.heartbeatInterval, .seconds(10))
        XCTAssertEqual(slow.heartbeatInterval, .seconds(60))
        XCTAssertTrue(fastToo.sharesSettings(with: fast))
    }
}
