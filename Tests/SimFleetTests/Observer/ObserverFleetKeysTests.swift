import DeviceCore
import XCTest
@testable import SimFleet

/// The observer keeps the fleet's device keys once: as its table of received sequence numbers, and
/// as a set of its own only when it counts a shard (to tell another shard's device from a stranger).
final class ObserverFleetKeysTests: XCTestCase {
    func testWithoutShardsAFleetDeviceCountsAndAStrangerIsForeign() {
        let observer = makeObserver()
        deliver("a", seq: 1, to: observer)
        deliver("z", seq: 1, to: observer)
        XCTAssertEqual(observer.received.load(ordering: .relaxed), 1)
        XCTAssertEqual(observer.foreign.load(ordering: .relaxed), 1)
        XCTAssertEqual(observer.receivedByDevice["a"]?.count, 1)
        XCTAssertEqual(Set(observer.receivedByDevice.keys), ["a", "b", "c"])
    }

    func testAShardCountsItsOwnDevicesIgnoresTheOtherShardsAndCallsOnlyStrangersForeign() {
        let observer = makeObserver()
        observer.ownDevices = ["a"]
        deliver("a", seq: 1, to: observer)
        deliver("b", seq: 1, to: observer)
        deliver("z", seq: 1, to: observer)
        XCTAssertEqual(observer.received.load(ordering: .relaxed), 1, "only its own device counts")
        XCTAssertEqual(observer.foreign.load(ordering: .relaxed), 1, "another shard's device is not foreign, a stranger is")
        XCTAssertEqual(Set(observer.receivedByDevice.keys), ["a"])
    }

    private func makeObserver() -> Observer {
        Observer(reactor: reactor, endpoint: BrokerEndpoint(host: "127.0.0.1", port: 1883), username: nil, password: nil,
                 fleetKeys: ["a", "b", "c"])
    }

    private let reactor = Reactor(index: 0, tickMicros: 1000)

    private func deliver(_ id: String, seq: Int, to observer: Observer) {
        let topic = Array("device/\(id)/status".utf8)
        let payload = Array("{\"id\":\"\(id)\",\"seq\":\(seq),\"state\":\"online\"}".utf8)
        topic.withUnsafeBufferPointer { t in payload.withUnsafeBytes { p in observer.mqttMessage(topic: t, payload: p) } }
    }
}
