import DeviceCore
import Foundation
import XCTest
@testable import SimFleet

/// A fleet of unprovisioned devices, each with its portal and DNS on its own loopback address.
final class FleetAccessPointTests: XCTestCase {
    func testEachUnprovisionedDeviceAnswersOnItsOwnAddressAndOneIsProvisionedOnline() throws {
        var provisioning = ProvisioningConfig()
        provisioning.rebootDelay = .milliseconds(200)
        var c = FleetConfiguration(devices: 3, heartbeatMs: 1000, qos: 1, provisioned: false, rampPerSecond: 100, seed: 3,
                                   durationSeconds: 30, reactors: 2, drainSeconds: 1)
        c.accessPoints = AccessPointExposure(pool: LoopbackAddressPool(block: 23), httpPort: 8080, dnsPort: 5353,
                                             provisioning: provisioning)
        let runner = FleetRunner(configuration: c)
        try runner.start()
        defer { runner.requestStop(); _ = runner.finish() }

        for i in 0..<3 {
            let address = "127.23.0." + String(i + 1)
            awaitCondition("device \(i) portal up", timeout: 10) {
                (try? ExternalTool.run("/usr/bin/dig", ["@" + address, "-p", "5353", "+time=1", "+tries=1", "+short", "x.example"]))?
                    .stdout == address + "\n"
            }
            let page = try ExternalTool.run("/usr/bin/curl", ["-sS", "--max-time", "5", "--noproxy", "*", "http://" + address + ":8080/"])
            XCTAssertTrue(page.stdout.contains(runner.deviceID(i)), "device \(i) serves its own page")
        }
        XCTAssertEqual(runner.snapshot().online, 0)

        let save = try ExternalTool.run("/usr/bin/curl", ["-sS", "--max-time", "5", "--noproxy", "*", "-o", "/dev/null", "-w", "%{http_code}",
                                                          "--data", "ssid=simfleet&password=simfleet-wifi", "http://127.23.0.2:8080/save"])
        XCTAssertEqual(save.stdout, "200")
        awaitCondition("the provisioned device is online", timeout: 15) { runner.snapshot().online == 1 }
        awaitCondition("the observer received its heartbeats", timeout: 10) { runner.snapshot().received > 0 }
    }
}
