import XCTest
@testable import SimFleet

final class FleetSliceTests: XCTestCase {
    func testTheSlicesOfAFleetAreDisjointAndTogetherAreTheFleet() {
        for fleet in [0, 1, 7, 100, 1001] {
            for n in 1...5 {
                var seen: [Int] = []
                for i in 0..<n {
                    let slice = FleetSlice(index: i, count: n)!
                    let mine = Array(slice.fleetIndices(ofFleet: fleet))
                    XCTAssertEqual(mine.count, slice.size(ofFleet: fleet), "\(slice) of \(fleet)")
                    for (local, fleetIndex) in mine.enumerated() {
                        XCTAssertTrue(slice.owns(fleetIndex))
                        XCTAssertEqual(slice.localIndex(ofFleet: fleetIndex), local)
                        XCTAssertEqual(slice.fleetIndex(ofLocal: local), fleetIndex)
                    }
                    seen += mine
                }
                XCTAssertEqual(seen.sorted(), Array(0..<fleet), "\(n) slices of \(fleet)")
            }
        }
    }

    func testADeviceOfAnotherSliceHasNoLocalPosition() {
        let slice = FleetSlice(index: 1, count: 4)!
        XCTAssertNil(slice.localIndex(ofFleet: 0))
        XCTAssertNil(slice.localIndex(ofFleet: 2))
        XCTAssertEqual(slice.localIndex(ofFleet: 5), 1)
        XCTAssertNil(slice.localIndex(ofFleet: -3))
    }

    func testShardTextIsIOverNWithICountedFromZero() {
        XCTAssertEqual(FleetSlice(parsing: "0/4"), FleetSlice(index: 0, count: 4))
        XCTAssertEqual(FleetSlice(parsing: "3/4")?.index, 3)
        for bad in ["4/4", "-1/4", "1/0", "1", "a/b", "1/2/3", "", "/4", "1/"] {
            XCTAssertNil(FleetSlice(parsing: bad), bad)
        }
    }

    func testEveryShardNamesItsDevicesAsTheWholeFleetDoes() {
        var whole = FleetConfiguration(devices: 10, seed: 9)
        var shard = whole
        shard.slice = FleetSlice(index: 2, count: 3)!
        XCTAssertEqual(shard.localDevices, 3)
        for local in 0..<shard.localDevices {
            let i = shard.slice.fleetIndex(ofLocal: local)
            XCTAssertEqual(shard.deviceSpec(i), whole.deviceSpec(i))
            XCTAssertEqual(shard.powerOnOffset(i), whole.powerOnOffset(i))
        }
        whole.sourceAddresses = ["10.0.0.1", "10.0.0.2"]
        XCTAssertEqual(whole.bindAddress(local: 0, loopbackBroker: true), "10.0.0.1")
        XCTAssertEqual(whole.bindAddress(local: 3, loopbackBroker: false), "10.0.0.2")
    }

    func testTheFingerprintChangesWithAnythingThatChangesThePlan() throws {
        let base = try parseScenario(minimalScenario("expect:\n  - online >= 100%\n"))
        var seeded = base
        seeded.seed += 1
        var scaled = base
        scaled.fleet[0].count += 1
        var moved = base
        moved.file = "elsewhere/t.yaml"
        XCTAssertEqual(ScenarioFingerprint.of(base), ScenarioFingerprint.of(moved), "the file's path is not the scenario")
        XCTAssertNotEqual(ScenarioFingerprint.of(base), ScenarioFingerprint.of(seeded))
        XCTAssertNotEqual(ScenarioFingerprint.of(base), ScenarioFingerprint.of(scaled))
        XCTAssertEqual(ScenarioFingerprint.of(base).count, 64)
    }
}
