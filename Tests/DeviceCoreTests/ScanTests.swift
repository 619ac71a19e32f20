import XCTest
@testable import DeviceCore
import DeviceTestKit

final class ScanTests: XCTestCase {
    let networks = [
        ScannedNetwork(ssid: "cafe", bssid: [0x02, 0, 0, 0, 0, 0x01], rssi: -80, channel: 6, auth: .open),
        ScannedNetwork(ssid: "home", bssid: [0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF], rssi: -42, channel: 11, auth: .wpa2PSK),
    ]

    func testScanIsAnsweredWhenTheRadioReportsNetworksStrongestFirst() {
        var h = DeviceHarness()
        h.bootOnline()
        let asked = h.send(.httpRequest(id: 7, HTTPRequest(method: .get, path: "/scan")))
        XCTAssertEqual(asked.filter { $0 == .wifiScan }.count, 1)
        XCTAssertNil(asked.response(to: 7), "the answer waits for the radio")
        h.advance(by: .milliseconds(1800))
        let done = h.send(.wifi(.scanDone(networks)))
        XCTAssertEqual(done.response(to: 7)?.status, 200)
        XCTAssertEqual(done.response(to: 7)?.text,
                       #"{"networks":[{"ssid":"home","bssid":"aa:bb:cc:dd:ee:ff","rssi":-42,"channel":11,"auth":"wpa2_psk"},"#
                       + #"{"ssid":"cafe","bssid":"02:00:00:00:00:01","rssi":-80,"channel":6,"auth":"open"}]}"#)
    }

    func testConcurrentScanRequestsShareOneRadioScan() {
        var h = DeviceHarness()
        h.bootOnline()
        let first = h.send(.httpRequest(id: 1, HTTPRequest(method: .get, path: "/scan")))
        let second = h.send(.httpRequest(id: 2, HTTPRequest(method: .get, path: "/scan")))
        XCTAssertEqual((first + second).filter { $0 == .wifiScan }.count, 1)
        let done = h.send(.wifi(.scanDone([])))
        XCTAssertEqual(done.response(to: 1)?.text, #"{"networks":[]}"#)
        XCTAssertEqual(done.response(to: 2)?.text, #"{"networks":[]}"#)
    }

    func testScanThatNeverFinishesIsAnswered504AndTheNextScanStartsAfresh() {
        var h = DeviceHarness()
        h.bootOnline()
        h.send(.httpRequest(id: 1, HTTPRequest(method: .get, path: "/scan")))
        XCTAssertEqual(h.device.nextDeadline, h.now + .seconds(5))
        let timeout = h.tickAtDeadline() ?? []
        XCTAssertEqual(timeout.response(to: 1)?.status, 504)
        let late = h.send(.wifi(.scanDone(networks)))
        XCTAssertTrue(late.logLines.contains { $0.hasPrefix("ignored WiFi scan result nobody asked for") })
        let again = h.send(.httpRequest(id: 2, HTTPRequest(method: .get, path: "/scan")))
        XCTAssertTrue(again.contains(.wifiScan))
    }

    func testTooManyWaitingScansGet503() {
        var h = DeviceHarness()
        h.bootOnline()
        for id in 1...4 as ClosedRange<UInt32> {
            XCTAssertNil(h.request(.get, "/scan", id: id))
        }
        XCTAssertEqual(h.request(.get, "/scan", id: 5)?.status, 503)
    }

    func testScanWorksWhileProvisioning() {
        var h = DeviceHarness(config: DeviceHarness.config(wifi: nil))
        // The captive portal scans when the access point opens and answers /scan from that list.
        XCTAssertTrue(h.send(.powerOn(.powerOn, boot: DeviceHarness.boot)).contains(.wifiScan))
        h.send(.wifi(.scanDone(networks)))
        XCTAssertEqual(h.send(.httpRequest(id: 1, HTTPRequest(method: .get, path: "/scan"))).response(to: 1)?.status, 200)
    }

    func testRebootDropsWaitingScans() {
        var h = DeviceHarness()
        h.bootOnline()
        h.send(.httpRequest(id: 1, HTTPRequest(method: .get, path: "/scan")))
        h.request(.post, "/reboot", id: 2)
        let restart = h.tickAtDeadline() ?? []
        XCTAssertTrue(restart.containsReboot(.software), "the reboot (500 ms) comes before the scan timeout (5 s)")
        XCTAssertNil(h.device.nextDeadline)
    }
}
