import DeviceCore
import DeviceTestKit
import XCTest
@testable import SimFleet

/// The delivery key a host keeps for a status publish takes the boot count from the core, and it is
/// the key the observer reads out of the payload the core wrote.
final class PublishedDeliveryKeyTests: XCTestCase {
    func testTheHostsKeyUsesTheCoresBootCountWhichIsThePayloadsAcrossReboots() throws {
        var h = DeviceHarness()
        for boot in 1...3 {
            var actions: [Action]
            if boot == 1 {
                actions = h.bootOnline()
            } else {
                XCTAssertEqual(h.request(.post, "/reboot")?.status, 200)
                XCTAssertTrue(h.run(for: .seconds(1)).containsReboot(.software))
                h.advance(by: .seconds(2))
                actions = h.bootOnline(reason: .software)
            }
            actions += h.run(for: .seconds(95))
            XCTAssertEqual(h.device.bootCount, boot)
            XCTAssertEqual(h.device.bootCount, h.device.nvs.bootCount)
            let statuses = actions.publishes.filter { $0.messageID != nil && $0.telemetryStream == nil }
            XCTAssertGreaterThan(statuses.count, 1, "boot \(boot)")
            for p in statuses {
                let seq = try XCTUnwrap(p.messageID)
                let observed = try XCTUnwrap(HeartbeatFields(payload: p.payload))
                XCTAssertEqual(observed.bootCount, h.device.bootCount, "boot_count in the payload is the core's")
                XCTAssertEqual(HeartbeatFields.deliveryKey(seq: seq, bootCount: h.device.bootCount), observed.deliveryKey)
            }
        }
    }
}
