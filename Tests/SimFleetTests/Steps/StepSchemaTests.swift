import DeviceCore
import XCTest
@testable import SimFleet

/// The `wifi:` radio environment and `provision`'s network keys: checked with file, line and column.
final class StepSchemaTests: XCTestCase {
    func testWiFiNetworksAreReadWithTheirPassphrases() throws {
        let s = try parseScenario(minimalScenario("""
        wifi:
          - {ssid: shop-floor, password: line-3-sensors, rssi: -50, channel: 11}
          - {ssid: visitors}
        timeline:
          - provision: {ssid: visitors}
        """))
        XCTAssertEqual(s.wifi, [SimulatedNetwork(ssid: "shop-floor", password: "line-3-sensors", rssi: -50, channel: 11),
                                SimulatedNetwork(ssid: "visitors", password: nil, rssi: -55, channel: 6)])
        guard case .provision(let p) = s.timeline[0].action else { return XCTFail("\(s.timeline[0].action)") }
        XCTAssertEqual(p.ssid, "visitors")
        XCTAssertEqual(ScenarioFleet.provisioningNetwork(s, p).password, "")
    }

    func testUnknownKeyInANetworkIsNamedWithItsPosition() {
        let e = scenarioError(minimalScenario("wifi:\n  - {ssid: a, pasword: x}"))
        XCTAssertEqual(e?.position.line, 9)
        XCTAssertEqual(e?.key, "pasword")
        XCTAssertTrue(e?.message.contains("unknown key 'pasword' in wifi network") ?? false, e?.description ?? "")
    }

    func testShortPassphraseIsRefused() {
        let e = scenarioError(minimalScenario("wifi:\n  - ssid: a\n    password: short"))
        XCTAssertEqual(e?.position.line, 10)
        XCTAssertEqual(e?.position.column, 15)
        XCTAssertTrue(e?.message.contains("8 to 63 characters") ?? false, e?.description ?? "")
    }

    func testProvisionMustNameANetworkOfTheEnvironment() {
        let e = scenarioError(minimalScenario("""
        wifi: [{ssid: shop-floor, password: line-3-sensors}]
        timeline:
          - provision: {ssid: elsewhere}
        """))
        XCTAssertEqual(e?.position.line, 10)
        XCTAssertEqual(e?.key, "ssid")
        XCTAssertTrue(e?.message.contains("names no network of 'wifi' (known: shop-floor)") ?? false, e?.description ?? "")
    }

    func testEmptyWiFiListIsAnError() {
        XCTAssertEqual(scenarioError(minimalScenario("wifi: []"))?.key, "wifi")
    }

    func testTargetedOriginFaultHitsOnlyItsDevicesOncePerFile() {
        var state = OriginState(faults: OriginFaults(targeted: [TargetedFault(kind: .corrupt, devices: ["a"], file: "fw-1.1.0.bin")]))
        XCTAssertNil(state.targetedFault(path: "/fw-1.1.0.bin", device: "b", rangeStart: 0, fileSize: 100, bodyLength: 100))
        XCTAssertNil(state.targetedFault(path: "/fw-1.2.0.bin", device: "a", rangeStart: 0, fileSize: 100, bodyLength: 100))
        guard case .corrupt? = state.targetedFault(path: "/fw-1.1.0.bin", device: "a", rangeStart: 0, fileSize: 100, bodyLength: 100)?.0 else {
            return XCTFail("the first download of a is corrupted")
        }
        XCTAssertEqual(state.targetedFault(path: "/fw-1.1.0.bin", device: "a", rangeStart: 0, fileSize: 100, bodyLength: 100)?.0, ResponseFault.none,
                       "a retry gets a good image")
    }
}
