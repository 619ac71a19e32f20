import DeviceCore
import Foundation
import NIOPosix
import XCTest
@testable import SimFleet

/// The portal page as a real browser (headless Chromium) renders it.
final class PortalBrowserTests: XCTestCase {
    static let networks = [
        ScannedNetwork(ssid: "home", bssid: [2, 0, 0, 0, 0, 1], rssi: -52, channel: 6, auth: .wpa2PSK),
        ScannedNetwork(ssid: "<script>alert(1)</script>", bssid: [2, 0, 0, 0, 0, 2], rssi: -64, channel: 1, auth: .wpa2PSK),
        ScannedNetwork(ssid: "<img src=x onerror=\"document.title='pwned'\">", bssid: [2, 0, 0, 0, 0, 3], rssi: -73,
                       channel: 3, auth: .wpaWpa2PSK),
        ScannedNetwork(ssid: "cafe", bssid: [2, 0, 0, 0, 0, 4], rssi: -83, channel: 11, auth: .open),
    ]

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    func chromium(_ args: [String], profile: URL) throws -> ExternalTool.Result {
        try ExternalTool.run("/usr/bin/chromium", ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                                   "--user-data-dir=" + profile.path, "--window-size=480,900"] + args,
                             timeout: 90)
    }

    func testChromiumRendersTheFormAndTheNetworkListAsText() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let served = try await ServedPortal.start(address: IPv4Address(127, 20, 0, 21), networks: Self.networks, group: group)
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("simfleet-chromium-" + UUID().uuidString)
        var failure: Error?
        do {
            let dom = try chromium(["--dump-dom", served.baseURL + "/"], profile: profile).stdout
            XCTAssertTrue(dom.contains(#"<form method="post" action="/save" id="wifi-form">"#), dom)
            XCTAssertTrue(dom.contains(#"<input id="ssid" name="ssid""#))
            XCTAssertTrue(dom.contains(#"<input id="password" name="password" type="password""#))
            // The DOM serialiser writes text nodes with < > escaped: the hostile SSIDs stayed text.
            XCTAssertTrue(dom.contains(#"<span class="ssid">&lt;script&gt;alert(1)&lt;/script&gt;</span>"#), dom)
            XCTAssertTrue(dom.contains(#"<span class="ssid">&lt;img src=x onerror="document.title='pwned'"&gt;</span>"#), dom)
            XCTAssertFalse(dom.contains("<img"), "no element was injected")
            XCTAssertTrue(dom.contains("<title>WiFi setup</title>"), "onerror never ran")
            XCTAssertEqual(dom.components(separatedBy: "<li ").count - 1, 4)
            XCTAssertEqual(dom.components(separatedBy: "class=\"lock\"").count - 1, 3, "no lock on the open network")

            let png = profile.appendingPathComponent("portal.png")
            _ = try chromium(["--screenshot=" + png.path, "--hide-scrollbars", served.baseURL + "/"], profile: profile)
            let bytes = try Data(contentsOf: png)
            XCTAssertEqual(Array(bytes.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            XCTAssertGreaterThan(bytes.count, 5_000, "a rendered page, not a blank image")
            if ProcessInfo.processInfo.environment["SIMFLEET_UPDATE_SCREENSHOT"] == "1" {
                try bytes.write(to: Self.packageRoot.appendingPathComponent("docs/portal.png"))
            }
        } catch {
            failure = error
        }
        await served.host.stop()
        try? FileManager.default.removeItem(at: profile)
        try await group.shutdownGracefully()
        if let failure { throw failure }
    }
}
