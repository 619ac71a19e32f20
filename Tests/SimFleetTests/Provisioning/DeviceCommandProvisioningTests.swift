import Foundation
import XCTest
@testable import SimFleet

/// `simfleet device`'s provisioning flags: wrong combinations are refused before anything starts,
/// naming the flag, by the same rules as the scenario schema.
final class DeviceCommandProvisioningTests: XCTestCase {
    func testMisusedProvisioningFlagsAreRefusedNamingTheFlag() throws {
        let cases: [([String], String)] = [
            (["--provisioning", "bluetooth"], "--provisioning must be captive_portal, idf_softap or both"),
            (["--provisioning", "idf_softap", "--sec", "3"], "--sec must be 0, 1 or 2"),
            (["--provisioning", "idf_softap", "--sec", "0", "--pop", "1234"], "--pop does not apply to security 0"),
            (["--provisioning", "idf_softap", "--sec", "2", "--username", "wifiprov"], "--password security 2 needs"),
            (["--preset", "factory"], "--preset unknown preset 'factory'"),
        ]
        for (flags, message) in cases {
            let run = try Simfleet.run(["device", "--unprovisioned"] + flags)
            XCTAssertNotEqual(run.status, 0, flags.joined(separator: " "))
            XCTAssertTrue(run.output.contains(message), flags.joined(separator: " ") + ": " + run.output)
        }
    }
}
