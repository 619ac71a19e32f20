import DeviceCore
import Foundation
import XCTest
@testable import SimFleet

/// Fleet shapes and commands shared by the fleet OTA tests.
enum OTAFleet {
    static func configuration(devices: Int = 5, _ ota: FleetOTAOptions) -> FleetConfiguration {
        var c = FleetConfiguration(devices: devices, heartbeatMs: 500, qos: 1, rampPerSecond: 200, seed: 11,
                                   durationSeconds: 120, reactors: 2, drainSeconds: 3)
        c.idTemplate = "ota-{n:02}"
        c.ota = ota
        return c
    }

    static func options(releases: [String], payload: Int = 200_000) -> FleetOTAOptions {
        var o = FleetOTAOptions()
        o.releases = releases
        o.imagePayloadBytes = payload
        return o
    }

    static func install(_ version: String, on runner: FleetRunner, devices: [Int], sha256: Bool = true) throws {
        let origin = try XCTUnwrap(runner.origin)
        let image = try XCTUnwrap(runner.firmware).image(version)
        var command = #"{"version":"\#(version)","url":"\#(origin.url(of: FirmwareCatalog.fileName(version)))""#
        if sha256 { command += #","sha256":"\#(hexString(image.digest))","size":\#(image.bytes.count)"# }
        runner.sendCommand(devices: devices, payload: Array((command + "}").utf8))
    }
}

extension OTAFleet {
    /// The same fleet in virtual time, status messages recorded, clock started.
    static func virtualFleet(devices: Int = 5, _ ota: FleetOTAOptions) throws -> VirtualFleet {
        let fleet = try VirtualFleet(configuration: configuration(devices: devices, ota))
        fleet.recordStatuses()
        fleet.begin()
        return fleet
    }

    /// The same install command, through the scripted broker to the scripted origin's image.
    static func install(_ version: String, on fleet: VirtualFleet, devices: [Int], sha256: Bool = true) throws {
        let url = try fleet.publishRelease(version, manifest: false)
        let image = try XCTUnwrap(fleet.firmware).image(version)
        var command = #"{"version":"\#(version)","url":"\#(url)""#
        if sha256 { command += #","sha256":"\#(hexString(image.digest))","size":\#(image.bytes.count)"# }
        fleet.sendCommand(devices: devices, payload: Array((command + "}").utf8))
    }
}

/// Every status message the broker delivered, by device id, parsed.
final class StatusLog: @unchecked Sendable {
    private let subscriber: Subscriber

    init(_ runner: FleetRunner) throws {
        subscriber = try Subscriber(broker: try XCTUnwrap(runner.broker), topic: "device/+/status")
    }

    func all(_ id: String) -> [JSONValue] {
        subscriber.messages.filter { $0.topic == "device/\(id)/status" }.compactMap { try? JSONReader().parse(Array($0.payload.utf8)) }
    }

    /// The device's latest heartbeat. The retained `{"state":"offline"}` will is skipped: the broker
    /// publishes it whenever a teardown closes a device's socket, which races the assertions after `finish()`.
    func latest(_ id: String) -> JSONValue? { all(id).last { $0["fw"] != nil } }

    func stop() { subscriber.stop() }
}
