import DeviceCore
import Foundation
import XCTest
@testable import SimFleet

/// A backend's own shape on real sockets: its topic layout on the embedded mosquitto, telemetry
/// streams accounted end to end, and devices whose web servers a backend calls over HTTP.
final class BackendShapeFleetTests: XCTestCase {
    func template(_ text: String) throws -> TopicTemplate { try TopicTemplate(text) }

    /// A 127.x block of this process's own, so runs side by side do not fight over addresses.
    static var block: UInt8 { UInt8(30 + Int(getpid()) % 60) }

    func testCustomLayoutCarriesHeartbeatsAndCommandsAndTheACLFollowsIt() throws {
        var c = OTAFleet.configuration(devices: 6, OTAFleet.options(releases: ["1.1.0"], payload: 60_000))
        c.topics = TopicLayout(status: try template("tenants/acme/{id}/state"), ota: try template("tenants/acme/{id}/cmd"),
                               logs: try template("tenants/acme/{id}/log"))
        c.durationSeconds = 60
        let runner = FleetRunner(configuration: c)
        try runner.start()
        defer { if !runner.finished { runner.requestStop(); _ = runner.finish() } }
        let states = try Subscriber(broker: try XCTUnwrap(runner.broker), topic: "tenants/acme/+/state")
        defer { states.stop() }
        awaitCondition("all online", timeout: 15) { runner.snapshot().online == 6 }
        awaitCondition("heartbeats observed", timeout: 10) { runner.snapshot().received >= 12 }

        // Commands go to the layout's OTA topic: two devices install the release.
        try OTAFleet.install("1.1.0", on: runner, devices: [1, 4])
        awaitCondition("two devices on 1.1.0", timeout: 60) { runner.versionCounts()["1.1.0"] == 2 }
        // A device probes only while online: the two that rebooted into 1.1.0 must have reconnected.
        awaitCondition("all online again after the updates", timeout: 30) { runner.snapshot().online == 6 }

        // Each device may use only its own topics: another device's are refused, its own allowed.
        let others = (0..<6).map { ACLProbeTopics.topic(device: $0, attempt: 0, plan: ScenarioPlan(devices: c), layout: c.topics) }
        runner.probeACL(devices: Array(0..<6)) { others[$0] }
        let own = c.deviceTopics(2).status
        runner.probeACL(devices: [2]) { _ in own }
        awaitCondition("probes settled", timeout: 10) {
            let s = runner.snapshot()
            return s.aclAttempts == 7 && s.aclRefused + s.aclAllowed == 7
        }
        let report = runner.finish()
        XCTAssertEqual(report.aclRefused, 6, "every other device's status refused")
        XCTAssertEqual(report.aclAllowed, 1, "the device's own status is allowed")
        XCTAssertEqual(report.received, report.sent)
        XCTAssertEqual(report.lost, 0)
        XCTAssertEqual(report.topics.status.text, "tenants/acme/{id}/state")
        for (topic, payload) in states.messages where payload.contains("\"seq\"") {
            let id = try XCTUnwrap(try JSONReader().parse(Array(payload.utf8))["id"]?.stringValue)
            XCTAssertEqual(topic, "tenants/acme/" + id + "/state")
        }
        XCTAssertTrue(states.messages.contains { $0.payload.contains("\"fw\":\"1.1.0\"") }, "updated devices report the release")
    }

    func testTelemetryStreamsAreAccountedLikeHeartbeatsPerStream() throws {
        let s = try parseScenario("""
            name: telemetry
            duration: 60s
            topics: {prefix: "plant/{group}"}
            fleet:
              - name: hall
                count: 5
                id: "hall-{n}"
                heartbeat: 1s
                telemetry:
                  - name: climate
                    topic: "plant/{group}/{id}/climate"
                    every: 200ms
                    qos: 1
                    payload: '{"seq":{seq},"ts":{ts},"t":{gauss:21.5:0.3:2},"mode":"{choice:eco|boost}","pad":"{pad:160}"}'
              - name: yard
                count: 3
                id: "yard-{n}"
                heartbeat: 1s
                telemetry:
                  - name: counter
                    topic: "plant/{group}/{id}/count"
                    every: 300ms
                    payload: "{int:0:9}"
            """)
        var c = try ScenarioFleet.configuration(s)
        c.durationSeconds = 2.5
        c.drainSeconds = 5
        let runner = FleetRunner(configuration: c)
        try runner.start()
        let climate = try Subscriber(broker: try XCTUnwrap(runner.broker), topic: "plant/hall/+/climate")
        defer { climate.stop() }
        let report = runner.runToCompletion()

        XCTAssertEqual(report.telemetry.map(\.name), ["climate", "counter"])
        let hall = report.telemetry[0], yard = report.telemetry[1]
        XCTAssertGreaterThanOrEqual(hall.sent, 5 * 8, "five devices, five messages a second")
        XCTAssertEqual(hall.acknowledged, hall.sent)
        XCTAssertEqual(hall.received, hall.sent)
        XCTAssertEqual(hall.lost, 0)
        XCTAssertEqual(hall.duplicates + hall.malformed, 0)
        XCTAssertEqual(hall.e2e.count, hall.received, "latency from every {ts}")
        XCTAssertGreaterThan(hall.e2e.max, 0)
        XCTAssertGreaterThanOrEqual(yard.sent, 3 * 5)
        XCTAssertEqual(yard.received, yard.sent, "counted by device without {seq}")
        XCTAssertEqual(yard.acknowledged, 0, "QoS 0")
        XCTAssertEqual(yard.e2e.count, 0, "no {ts}: no latency")
        XCTAssertEqual(report.received, report.sent, "heartbeats on plant/{group}/{id}/status too")

        let seen = climate.messages
        XCTAssertFalse(seen.isEmpty)
        for (topic, payload) in seen {
            XCTAssertTrue(topic.hasPrefix("plant/hall/hall-") && topic.hasSuffix("/climate"), topic)
            XCTAssertEqual(payload.utf8.count, 160)
            let json = try JSONReader().parse(Array(payload.utf8))
            XCTAssertNotNil(json["seq"]?.int64Value)
            XCTAssertTrue(["eco", "boost"].contains(json["mode"]?.stringValue ?? ""))
        }
        let document = try ReportDocument(bytes: Array(report.json().utf8))
        XCTAssertEqual(document.number(at: ["telemetry", "climate", "received"]), Double(hall.received))
        XCTAssertEqual(document.number(at: ["telemetry", "counter", "delivery"]), 1)
        let html = HTMLReport(report: document).render()
        XCTAssertTrue(html.contains("<th>telemetry stream</th>") && html.contains("climate") && html.contains("plant/{group}/{id}/count"))
        XCTAssertTrue(html.contains("<code>plant/{group}/{id}/status</code>"), "the layout is shown")
    }

    func testTelemetryTheBrokerAcknowledgedButNeverDeliveredIsLostByDeviceAndSeq() throws {
        // A mosquitto of the test's own whose ACL keeps one device's telemetry from the observer:
        // the broker acknowledges every QoS 1 message, the observer never sees that device's.
        let broker = try ExternalBroker(acl: """
            user simfleet-observer
            topic read device/+/status
            topic read t/+/data
            topic deny t/loss-2/data

            pattern readwrite device/%c/#
            pattern readwrite t/%c/#
            """)
        defer { broker.stop() }
        var c = FleetConfiguration(devices: 3, heartbeatMs: 1000, qos: 1, rampPerSecond: 100, seed: 3, durationSeconds: 2,
                                   reactors: 1, drainSeconds: 3)
        c.idTemplate = "loss-{n}"
        c.broker = .external(host: "127.0.0.1", port: broker.port, tls: nil)
        c.observerUsername = "simfleet-observer"
        c.telemetry = [FleetTelemetryStream(name: "data", topic: try template("t/{id}/data"), every: .milliseconds(250), qos: 1,
                                            payloadText: "{seq}", payload: try TelemetryTemplateText.compile("{seq}"))]
        let report = FleetRunner(configuration: c).run()
        let data = try XCTUnwrap(report.telemetry.first)
        XCTAssertGreaterThan(data.sent, 12)
        XCTAssertEqual(data.acknowledged, data.sent)
        let lostDevice = Set(data.lostDetail.map(\.device))
        XCTAssertEqual(lostDevice, ["loss-2"])
        XCTAssertEqual(data.lost, data.sent - data.received, "exactly the undelivered ones")
        XCTAssertGreaterThan(data.lost, 3)
        XCTAssertEqual(data.lostDetail.map(\.seq), Array(1...data.lostDetail.count), "named by seq, in order")
    }

    func testBackendUpdatesDevicesByPostingToTheirOwnWebServers() throws {
        var c = OTAFleet.configuration(devices: 4, OTAFleet.options(releases: ["1.1.0"], payload: 60_000))
        c.deviceHTTP = DeviceHTTPExposure(pool: LoopbackAddressPool(block: Self.block), port: 8080)
        let runner = FleetRunner(configuration: c)
        try runner.start()
        defer { if !runner.finished { runner.requestStop(); _ = runner.finish() } }
        let web = try XCTUnwrap(c.deviceHTTP)
        awaitCondition("all online", timeout: 15) { runner.snapshot().online == 4 }
        let url = try XCTUnwrap(runner.origin).url(of: FirmwareCatalog.fileName("1.1.0"))

        for i in 0..<4 {
            let device = PortalClient(address: try XCTUnwrap(web.address(forDevice: i)).text, port: 8080)
            var answer: (status: Int, body: String)?
            awaitCondition("device \(i) answers GET /version", timeout: 10) {
                answer = try? device.request("GET", "/version").get()
                return answer?.status == 200
            }
            XCTAssertTrue(answer?.body.contains("\"1.0.0\"") == true)
            let posted = try device.request("POST", "/update", contentType: "application/json",
                                            body: Array(#"{"url":"\#(url)","version":"1.1.0"}"#.utf8)).get()
            XCTAssertEqual(posted.status, 202, posted.body)
        }
        awaitCondition("every device rebooted into 1.1.0", timeout: 60) { runner.versionCounts()["1.1.0"] == 4 }
        for i in 0..<4 {
            let device = PortalClient(address: try XCTUnwrap(web.address(forDevice: i)).text, port: 8080)
            awaitCondition("device \(i) says 1.1.0", timeout: 10) {
                (try? device.request("GET", "/version").get())?.body.contains("\"1.1.0\"") == true
            }
        }
        // A device that is off has no web server: its connections are refused, the others answer.
        runner.powerCycle(devices: [2], offFor: .seconds(60))
        let off = PortalClient(address: try XCTUnwrap(web.address(forDevice: 2)).text, port: 8080)
        awaitCondition("device 2's socket closed", timeout: 10) {
            if case .failure(.connect) = off.request("GET", "/version") { return true }
            return false
        }
        let on = PortalClient(address: try XCTUnwrap(web.address(forDevice: 3)).text, port: 8080)
        XCTAssertEqual(try on.request("GET", "/nope").get().status, 404)

        let report = runner.finish()
        let served = try XCTUnwrap(report.deviceHTTP).requests
        XCTAssertEqual(served["/update"], [202: 4])
        XCTAssertGreaterThanOrEqual(served["/version"]?[200] ?? 0, 8)
        XCTAssertEqual(served["other"], [404: 1])
        let document = try ReportDocument(bytes: Array(report.json().utf8))
        XCTAssertEqual(document.number(at: ["device_http", "requests", "/update", "202"]), 4)
        XCTAssertEqual(document.value(at: ["device_http", "first"])?.stringValue, "http://127.\(Self.block).0.1:8080")
        XCTAssertTrue(HTMLReport(report: document).render().contains("<tr><td><code>/update</code></td><td class=\"num\">202</td>"))
    }

    func testDeviceHTTPHalvesTheDescriptorCeilingAndSaysWhy() {
        var budget = DescriptorBudget(softLimit: 20_000, hardLimit: 20_000, openAtStart: 44)
        XCTAssertEqual(budget.deviceCeiling, 19_700)
        budget.descriptorsPerDevice = 2
        XCTAssertEqual(budget.deviceCeiling, 9_850)
        let message = FleetError.tooManyDevicesWithDeviceHTTP(requested: 19_000, ceiling: 9_850, fdLimit: 20_000).description
        XCTAssertTrue(message.contains("listening socket") && message.contains("9850"), message)
        var c = FleetConfiguration(devices: 1_000_000)
        c.deviceHTTP = DeviceHTTPExposure()
        XCTAssertThrowsError(try FleetRunner(configuration: c).start()) { error in
            guard case .tooManyDevicesWithDeviceHTTP? = error as? FleetError else { return XCTFail("\(error)") }
        }
    }
}

extension ScenarioPlan {
    /// The plan of a flags-only fleet (one group), for probe topics.
    init(devices c: FleetConfiguration) {
        let text = "name: p\nduration: 10s\nfleet: [{count: \(c.devices), id: \"\(c.idTemplate)\"}]\n"
        self.init(try! ScenarioLoader.parse(bytes: Array(text.utf8), file: "plan.yaml"))
    }
}

extension FleetRunner {
    /// Starts, runs to the end and reports (test shorthand).
    func run() -> FleetReport {
        do { try start() } catch {
            XCTFail("fleet did not start: \(error)")
        }
        return runToCompletion()
    }
}

/// A mosquitto of a test's own, on a free loopback port, with the given ACL file.
final class ExternalBroker {
    let port: Int
    private let process = Process()
    private let directory: String

    init(acl: String) throws {
        directory = NSTemporaryDirectory() + "simfleet-test-broker-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        port = EmbeddedBroker.freePort()
        try (acl + "\n").write(toFile: directory + "/acl", atomically: true, encoding: .utf8)
        try """
            per_listener_settings false
            user \(EmbeddedBroker.currentUser)
            persistence false
            allow_anonymous true
            acl_file \(directory)/acl
            listener \(port) 127.0.0.1

            """.write(toFile: directory + "/mosquitto.conf", atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: EmbeddedBroker.which("mosquitto") ?? "/usr/sbin/mosquitto")
        process.arguments = ["-c", directory + "/mosquitto.conf"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        awaitCondition("test broker listening", timeout: 10) { EmbeddedBroker.accepts(port: self.port) }
    }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// A device whose address is taken: it retries, gives up once, and is counted.
final class DeviceHTTPShellTests: XCTestCase {
    func testATakenAddressIsRetriedThenCountedOnceAndLeftAlone() throws {
        let block = UInt8(90 + Int(getpid()) % 60)
        let address = IPv4Address(127, block, 9, 9)
        // Something else already listens there (another program on the device's address).
        let squatter = try ServerSocket(address: address.text, port: 8080)
        defer { squatter.close() }
        let reactor = Reactor(index: 0)
        reactor.start()
        defer { reactor.stopAndJoin() }
        let lines = LineLog()
        let shell = DeviceHTTPShell(address: address, port: 8080, reactor: reactor)
        shell.onChange = { lines.append($0) }
        reactor.post { _ in shell.want(true) }
        awaitCondition("gave up after its retries", timeout: 15) { lines.contains("could not listen on 127.\(block).9.9:8080") }
        // The station stays up (every drain says so): no new attempts, one failure counted.
        for _ in 0..<20 { reactor.post { _ in shell.want(true) } }
        usleep(300_000)
        let failures = syncRead(reactor) { $0.deviceHTTP.bindFailures }
        XCTAssertEqual(failures, 1)
        let idle = syncRead(reactor) { _ -> Bool in
            if case .gaveUp = shell.state { return true }
            return false
        }
        XCTAssertTrue(idle, "no new bind while the station merely stays up")
        XCTAssertEqual(lines.all.filter { $0.contains("could not listen") }.count, 1)
        // Down and up again once the address is free: it listens.
        squatter.close()
        reactor.post { _ in shell.want(false); shell.want(true) }
        awaitCondition("listening once the address is free", timeout: 10) { lines.contains("device API up: http://127.\(block).9.9:8080/") }
        let answer = PortalClient(address: address.text, port: 8080).request("GET", "/version")
        if case .success(let r) = answer { XCTAssertEqual(r.status, 503, "no device behind the shell: not reachable") } else { XCTFail("\(answer)") }
        reactor.post { _ in shell.finish() }
        awaitCondition("closed", timeout: 5) { lines.contains("device API down") }
    }

    private func syncRead<T>(_ reactor: Reactor, _ body: @escaping (Reactor) -> T) -> T {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var out: T?
        reactor.post { r in out = body(r); done.signal() }
        done.wait()
        return out!
    }
}

/// A plain listening TCP socket (a program squatting on an address).
final class ServerSocket {
    private var fd: Int32

    init(address: String, port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, address, &sin.sin_addr)
        let bound = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 4) == 0 else { throw POSIXError(.EADDRINUSE) }
    }

    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }
}
