import DeviceCore
import Foundation
import XCTest
@testable import SimFleet

/// A whole unprovisioned device on real sockets: its portal and DNS on a loopback address, real
/// curl and dig as the phone, a real mosquitto as the backend.
final class DeviceProvisioningIntegrationTests: XCTestCase {
    static let radio = SimulatedRadio(networks: [
        SimulatedNetwork(ssid: "home", password: "hunter22", rssi: -51, channel: 6),
        SimulatedNetwork(ssid: "<b>evil</b>", password: "whatever1", rssi: -77, channel: 1),
    ])

    func curl(_ args: [String]) throws -> ExternalTool.Result {
        try ExternalTool.run("/usr/bin/curl", ["-sS", "--max-time", "10", "--noproxy", "*"] + args)
    }

    func testUnprovisionedDeviceIsProvisionedOverRealHTTPAndDNSAndComesOnlineOnMosquitto() throws {
        var provisioning = ProvisioningConfig()
        provisioning.rebootDelay = .milliseconds(300)
        provisioning.fallbackAfterFailedJoins = 2
        let lines = LineLog()
        let runner = SingleDeviceRunner(
            options: .init(apAddress: IPv4Address(127, 20, 4, 1), httpPort: 8080, dnsPort: 5353, radio: Self.radio,
                           heartbeatMs: 1000, provisioning: provisioning),
            log: { lines.append($0) })
        try runner.start()
        defer { runner.stop() }
        let status = try Subscriber(broker: try XCTUnwrap(runner.broker), topic: "device/" + runner.deviceID + "/status")
        defer { status.stop() }

        awaitCondition("portal listening", timeout: 10) { runner.portal != nil }
        XCTAssertEqual(runner.state, .provisioning)

        // The phone's resolver: every name points at the device.
        let dig = try ExternalTool.run("/usr/bin/dig", ["@127.20.4.1", "-p", "5353", "+time=3", "+tries=1", "+short",
                                                        "connectivitycheck.gstatic.com"])
        XCTAssertEqual(dig.stdout, "127.20.4.1\n", dig.stderr)
        // The OS probe is redirected; the page lists the scanned networks, escaped.
        let probe = try curl(["-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", "-H", "Host: connectivitycheck.gstatic.com",
                              "http://127.20.4.1:8080/generate_204"])
        XCTAssertEqual(probe.stdout, "302 http://127.20.4.1:8080/")
        let page = try curl(["http://127.20.4.1:8080/"]).stdout
        XCTAssertTrue(page.contains(runner.deviceID))
        XCTAssertTrue(page.contains("<span class=\"ssid\">home</span>"))
        XCTAssertTrue(page.contains("&lt;b&gt;evil&lt;/b&gt;"))

        // A wrong password: the device reboots, fails to join twice, and reopens the portal saying why.
        let wrong = try curl(["-w", "\n%{http_code}", "--data-urlencode", "ssid=home", "--data-urlencode", "password=wrong-pass",
                              "http://127.20.4.1:8080/save"])
        XCTAssertTrue(wrong.stdout.hasSuffix("\n200"), wrong.stdout)
        awaitCondition("back in the portal after failed joins", timeout: 20) {
            lines.contains("reopening the provisioning portal") && runner.portal != nil && runner.state == .provisioning
        }
        awaitCondition("portal shows the failure", timeout: 5) {
            ((try? self.curl(["http://127.20.4.1:8080/"]).stdout) ?? "").contains("after 2 attempts: wrong password")
        }

        // The right password: reboot into station mode, join, connect to mosquitto, publish status.
        let right = try curl(["-w", "\n%{http_code}", "--data-urlencode", "ssid=home", "--data-urlencode", "password=hunter22",
                              "http://127.20.4.1:8080/save"])
        XCTAssertTrue(right.stdout.hasSuffix("\n200"), right.stdout)
        XCTAssertTrue(right.stdout.contains("join <strong>home</strong>"))
        awaitCondition("online on the broker", timeout: 20) { runner.isOnline && runner.state == .online }
        awaitCondition("status published to mosquitto", timeout: 10) {
            status.messages.contains { $0.payload.contains("\"online\"") && $0.payload.contains(runner.deviceID) }
        }
        // The access point is gone; the same address now serves the station's own API, not the portal.
        awaitCondition("portal closed", timeout: 5) { runner.portal == nil }
        awaitCondition("device API up", timeout: 10) { lines.contains("device API up: http://127.20.4.1:8080/") }
        let root = try ExternalTool.run("/usr/bin/curl", ["-sS", "--max-time", "3", "--noproxy", "*", "-o", "/dev/null",
                                                          "-w", "%{http_code}", "http://127.20.4.1:8080/"])
        XCTAssertEqual(root.stdout, "404", "no portal page any more")
        let version = try curl(["http://127.20.4.1:8080/version"]).stdout
        XCTAssertEqual(version, #"{"version":"1.0.0","project":"iot-controller"}"#)
        XCTAssertFalse(lines.all.contains { $0.contains("hunter22") || $0.contains("wrong-pass") }, "passwords never logged")
    }
}

/// Log lines collected from another thread.
final class LineLog: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    func append(_ line: String) {
        lock.lock()
        lines.append(line)
        lock.unlock()
    }

    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return lines
    }

    func contains(_ text: String) -> Bool { all.contains { $0.contains(text) } }
}
