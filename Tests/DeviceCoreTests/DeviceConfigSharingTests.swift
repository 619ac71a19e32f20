import XCTest
@testable import DeviceCore

/// A fleet group's devices hold one copy of the configuration they share; each keeps its own identity.
final class DeviceConfigSharingTests: XCTestCase {
    private func config(mac last: UInt8, seed: UInt64) -> DeviceConfig {
        var c = DeviceConfig(baseMAC: [0x24, 0x0A, 0xC4, 0x00, 0x00, last], firmwareVersion: "2.1.0", randomSeed: seed)
        c.heartbeatInterval = .seconds(10)
        c.topics = TopicTemplates(status: "fleet/{id}/status", ota: "fleet/{id}/ota", logs: "fleet/{id}/logs")
        c.mqttUsername = "user-\(last)"
        return c
    }

    func testDevicesThatDifferOnlyInIdentityShareOneCopyOfTheRest() {
        let a = config(mac: 1, seed: 1)
        var b = config(mac: 2, seed: 2)
        XCTAssertFalse(b.sharesSettings(with: a), "built separately, two copies")
        XCTAssertTrue(b.shareSettings(with: a))
        XCTAssertTrue(b.sharesSettings(with: a))
        XCTAssertEqual(b.deviceID, "esp32c6-000002", "identity stays the device's own")
        XCTAssertEqual(b.randomSeed, 2)
        XCTAssertEqual(b.mqttUsername, "user-2")
        XCTAssertEqual(b.heartbeatInterval, .seconds(10))
    }

    func testConfigurationsThatDifferInASharedFieldAreNotShared() {
        let a = config(mac: 1, seed: 1)
        var b = config(mac: 2, seed: 2)
        b.heartbeatQoS = 1
        XCTAssertFalse(b.shareSettings(with: a))
        XCTAssertFalse(b.sharesSettings(with: a))
        XCTAssertEqual(b.heartbeatQoS, 1)
        XCTAssertEqual(a.heartbeatQoS, 0)
    }

    func testWritingASharedFieldCopiesItAndLeavesTheOtherDeviceAlone() {
        let a = config(mac: 1, seed: 1)
        var b = config(mac: 2, seed: 2)
        b.shareSettings(with: a)
        b.heartbeatInterval = .seconds(99)
        b.ota.stallTimeout = .seconds(7)
        XCTAssertFalse(b.sharesSettings(with: a))
        XCTAssertEqual(a.heartbeatInterval, .seconds(10))
        XCTAssertEqual(b.heartbeatInterval, .seconds(99))
        XCTAssertNotEqual(a.ota.stallTimeout, .seconds(7))
    }

    func testSharingChangesNoValueOfTheConfiguration() {
        let a = config(mac: 1, seed: 1)
        let before = config(mac: 1, seed: 1)
        var after = before
        after.shareSettings(with: a)
        XCTAssertEqual(after, before)
        XCTAssertEqual(after, a, "same MAC and seed: equal, shared or not")
    }
}
