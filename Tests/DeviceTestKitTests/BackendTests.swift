import DeviceCore
import DeviceTestKit
import XCTest

final class MQTTRouterTests: XCTestCase {
    func testTopicFiltersMatchAsMQTTDefinesThem() {
        XCTAssertTrue(TopicFilter.matches("device/+/status", "device/a/status"))
        XCTAssertFalse(TopicFilter.matches("device/+/status", "device/a/b/status"))
        XCTAssertTrue(TopicFilter.matches("device/#", "device/a/b"))
        XCTAssertTrue(TopicFilter.matches("device/#", "device"))
        XCTAssertTrue(TopicFilter.matches("#", "anything/at/all"))
        XCTAssertFalse(TopicFilter.matches("#", "$SYS/broker"))
        XCTAssertFalse(TopicFilter.matches("device/a", "device/a/status"))
    }

    func testRetainedMessagesReachLateSubscribersAndAnEmptyPayloadClearsThem() {
        let router = MQTTRouter(simulation: Simulation())
        var got: [MQTTRouter.Message] = []
        _ = router.connect(client: "d1", deliver: { _ in })
        router.publish(from: "d1", .init(topic: "device/d1/status", payload: Array("on".utf8), qos: 1, retain: true))
        _ = router.connect(client: "late", deliver: { got.append($0) })
        router.subscribe(client: "late", filter: "device/+/status")
        XCTAssertEqual(got.map(\.text), ["on"])
        XCTAssertTrue(got[0].retain, "a retained replay carries the retain flag")
        router.publish(from: "d1", .init(topic: "device/d1/status", payload: [], retain: true))
        XCTAssertNil(router.retainedMessage("device/d1/status"))
    }

    func testAVanishedClientsWillIsPublishedButACleanDisconnectDiscardsIt() {
        let router = MQTTRouter(simulation: Simulation())
        var got: [String] = []
        _ = router.connect(client: "backend", deliver: { got.append($0.text) })
        router.subscribe(client: "backend", filter: "device/+/status")
        let will = MQTTRouter.Message(topic: "device/a/status", payload: Array("offline".utf8), qos: 1, retain: true)
        _ = router.connect(client: "a", will: will, deliver: { _ in })
        router.disconnect(client: "a", clean: true)
        XCTAssertEqual(got, [])
        _ = router.connect(client: "a", will: will, deliver: { _ in })
        router.disconnect(client: "a", clean: false)
        XCTAssertEqual(got, ["offline"])
        XCTAssertEqual(router.retainedMessage("device/a/status")?.text, "offline")
    }

    func testTheACLFiltersAtDeliveryAndRefusesForeignPublishes() {
        let router = MQTTRouter(simulation: Simulation())
        router.acl = { client, topic, _ in topic.hasPrefix("device/" + client + "/") || client == "backend" }
        var got: [String] = []
        _ = router.connect(client: "a", deliver: { got.append($0.topic) })
        _ = router.connect(client: "b", deliver: { _ in })
        XCTAssertFalse(router.subscribe(client: "a", filter: "device/b/status"))
        XCTAssertFalse(router.publish(from: "b", .init(topic: "device/a/ota", payload: [1])))
        XCTAssertTrue(router.subscribe(client: "a", filter: "device/a/ota"))
        router.inject(.init(topic: "device/a/ota", payload: [2]))
        XCTAssertEqual(got, ["device/a/ota"])
        XCTAssertEqual(router.stats.refusedByACL, 2)
    }

    func testARestartDropsEverySessionWithoutWillsAndForgetsRetainedMessages() {
        let sim = Simulation()
        let router = MQTTRouter(simulation: sim)
        var dropped = 0
        _ = router.connect(client: "a", will: .init(topic: "w", payload: [1]), deliver: { _ in }, dropped: { dropped += 1 })
        router.publish(from: "a", .init(topic: "r", payload: [1], retain: true))
        router.restart(downFor: .seconds(5))
        XCTAssertEqual(dropped, 1)
        XCTAssertEqual(router.stats.willsPublished, 0)
        XCTAssertNil(router.retainedMessage("r"))
        XCTAssertEqual(router.connect(client: "a", deliver: { _ in }).failureValue, .unavailable)
        sim.advanceTime(by: .seconds(5))
        XCTAssertNil(router.connect(client: "a", deliver: { _ in }).failureValue)
    }
}

extension Result {
    var failureValue: Failure? {
        if case .failure(let e) = self { return e }
        return nil
    }
}

final class FirmwareServerTests: XCTestCase {
    func fetch(_ server: FirmwareServer, _ path: String, from start: Int = 0, client: String = "dev") -> (events: [DownloadEvent], body: [UInt8]) {
        var events: [DownloadEvent] = []
        var body: [UInt8] = []
        server.get(server.url(of: path), rangeStart: start, client: client) { e in
            if case .data(let d) = e { body += d } else { events.append(e) }
        }
        server.simulation.runUntilIdle()
        return (events, body)
    }

    func makeServer() -> FirmwareServer {
        let sim = Simulation(seed: 3)
        let server = FirmwareServer(simulation: sim, network: Network(simulation: sim))
        server.put("fw.bin", (0..<100_000).map { UInt8(truncatingIfNeeded: $0 * 7) })
        return server
    }

    func testARangeRequestGetsTheRestOfTheFileWith206() {
        let server = makeServer()
        let r = fetch(server, "fw.bin", from: 40_000)
        XCTAssertEqual(r.events, [.response(status: 206, contentLength: 60_000, rangeStart: 40_000), .finished])
        XCTAssertEqual(r.body, Array(server.file("fw.bin")![40_000...]))
        XCTAssertEqual(server.stats.rangeResponses, 1)
    }

    func testMissingFilesAndRangesPastTheEndAreHTTPErrors() {
        let server = makeServer()
        XCTAssertEqual(fetch(server, "nope.bin").events.last, .failed(.httpStatus(404)))
        XCTAssertEqual(fetch(server, "fw.bin", from: 100_000).events.last, .failed(.httpStatus(416)))
    }

    func testACorruptFaultSpoilsOneByteOnceAndTheRetryIsClean() {
        let server = makeServer()
        server.faults = [.init(.corrupt(at: 5000), path: "fw.bin", client: "dev")]
        let first = fetch(server, "fw.bin")
        XCTAssertEqual(first.body.count, 100_000)
        XCTAssertNotEqual(first.body[5000], server.file("fw.bin")![5000])
        XCTAssertEqual(fetch(server, "fw.bin").body, server.file("fw.bin")!)
        XCTAssertEqual(fetch(server, "fw.bin", client: "other").body, server.file("fw.bin")!, "aimed at one client only")
        XCTAssertEqual(server.stats.corrupted, 1)
    }

    func testADropEndsTheConnectionPartWayAndTheResumeFinishes() {
        let server = makeServer()
        server.faults = [.init(.drop(fraction: 0.5))]
        let first = fetch(server, "fw.bin")
        XCTAssertEqual(first.events.last, .failed(.connectionLost))
        XCTAssertEqual(first.body.count, 50_000)
        let rest = fetch(server, "fw.bin", from: first.body.count)
        XCTAssertEqual(rest.events.last, .finished)
        XCTAssertEqual(first.body + rest.body, server.file("fw.bin")!)
    }

    func testASlowOriginTakesAsLongAsItsRateSays() {
        let server = makeServer()
        server.faults = [.init(.slow(bytesPerSecond: 10_000), once: false)]
        let start = server.simulation.now
        _ = fetch(server, "fw.bin")
        let took = (server.simulation.now - start).milliseconds
        XCTAssertGreaterThanOrEqual(took, 9_900)
        XCTAssertLessThan(took, 11_000)
    }

    func testTheManifestNamesTheReleaseInTheReferenceFormat() throws {
        let server = makeServer()
        server.publishManifest(version: "v1.1.0", file: "fw.bin")
        let json = try JSONReader().parse(fetch(server, "manifest.json").body)
        XCTAssertEqual(json["version"]?.stringValue, "v1.1.0")
        XCTAssertEqual(json["firmware_url"]?.stringValue, "http://origin.test/fw.bin")
    }
}

final class NetworkTests: XCTestCase {
    func testMessagesArriveAfterBothLinksLatencyAndInOrder() {
        let sim = Simulation()
        let net = Network(simulation: sim, defaults: LinkConditions(latency: .milliseconds(5)))
        net.setConditions(LinkConditions(latency: .milliseconds(20), jitter: .milliseconds(30)), for: "far")
        var arrivals: [(Int, Instant)] = []
        for i in 0..<20 { net.send(from: "far", to: "broker") { arrivals.append((i, sim.now)) } }
        sim.runUntilIdle()
        XCTAssertEqual(arrivals.map(\.0), Array(0..<20), "TCP keeps order")
        XCTAssertTrue(arrivals.allSatisfy { ($0.1 - Simulation.epoch).milliseconds >= 25 })
    }

    func testAPartitionStopsMessagesAndTellsTheEndpointsUntilItHeals() {
        let sim = Simulation()
        let net = Network(simulation: sim)
        var cuts = 0
        net.onCut("dev") { cuts += 1 }
        var delivered = 0
        net.send(from: "dev", to: "broker") { delivered += 1 }
        net.partition("dev", "broker", for: .seconds(10))
        XCTAssertEqual(cuts, 1)
        XCTAssertFalse(net.send(from: "dev", to: "broker") { delivered += 1 })
        sim.advanceTime(by: .seconds(11))
        XCTAssertEqual(delivered, 0, "in flight when the cut came: lost with the connection")
        XCTAssertTrue(net.canReach("dev", "broker"))
    }

    func testLossShowsAsRetransmissionDelayNeverAsAMissingMessage() {
        let sim = Simulation(seed: 9)
        let net = Network(simulation: sim, defaults: LinkConditions(latency: .milliseconds(1), loss: 0.5))
        var delivered = 0
        for _ in 0..<200 { net.send(from: "a", to: "b") { delivered += 1 } }
        sim.runUntilIdle()
        XCTAssertEqual(delivered, 200)
        XCTAssertGreaterThan(net.packetsLost, 50)
    }
}
