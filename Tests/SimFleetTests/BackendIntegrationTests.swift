import DeviceCore
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import XCTest
@testable import SimFleet

/// ACLs of the embedded broker and registration with a backend API, over real sockets.
final class BackendIntegrationTests: XCTestCase {
    func testEmbeddedBrokerLetsADeviceReadOnlyItsOwnTopics() throws {
        var c = FleetConfiguration(devices: 8, heartbeatMs: 1000, rampPerSecond: 500, durationSeconds: 30, reactors: 2)
        c.idTemplate = "acl-{n}"
        let runner = FleetRunner(configuration: c)
        try runner.start()
        awaitCondition("all devices online", timeout: 10) { runner.snapshot().online == 8 }
        let ids = (0..<8).map { runner.deviceID($0) }
        // Control: a device may read its own status topic, so the probe can see an allowed read.
        runner.probeACL(devices: Array(0..<8)) { i in "device/\(ids[i])/status" }
        awaitCondition("own-topic probes answered", timeout: 10) { runner.snapshot().aclRefused + runner.snapshot().aclAllowed == 8 }
        XCTAssertEqual(runner.snapshot().aclAllowed, 8)
        runner.probeACL(devices: Array(0..<8)) { i in "device/\(ids[(i + 1) % 8])/status" }
        awaitCondition("cross-device probes answered", timeout: 10) { runner.snapshot().aclRefused + runner.snapshot().aclAllowed == 16 }
        runner.requestStop()
        let report = runner.runToCompletion()
        XCTAssertEqual(report.aclAttempts, 16)
        XCTAssertEqual(report.aclRefused, 8, "the ACL confines each client to device/<its id>/#")
        XCTAssertEqual(report.aclAllowed, 8)
        XCTAssertTrue(report.json().contains("\"acl\""))
    }

    func testAClientLoggedInAsOneDeviceCannotActAsAnotherByChoosingItsClientID() throws {
        var c = FleetConfiguration(devices: 2, heartbeatMs: 1000, rampPerSecond: 500, durationSeconds: 30, reactors: 1)
        c.idTemplate = "spoof-{n}"
        c.usernameTemplate = "{id}"
        c.passwordTemplate = "secret-{n}"  // so this test knows device A's password
        let runner = FleetRunner(configuration: c)
        try runner.start()
        defer { runner.requestStop(); _ = runner.runToCompletion() }
        awaitCondition("both devices online", timeout: 10) { runner.snapshot().online == 2 }
        let port = try XCTUnwrap(runner.broker?.ports.first)
        let a = runner.deviceID(0), b = runner.deviceID(1)
        let pub = URL(fileURLWithPath: "/usr/bin/mosquitto_pub"), sub = URL(fileURLWithPath: "/usr/bin/mosquitto_sub")
        // Logged in as A with B's client id: B's retained status must not be readable...
        let read = try ChildProcess.run(sub, ["-h", "127.0.0.1", "-p", String(port), "-u", a, "-P", "secret-1", "-i", b,
                                              "-t", "device/\(b)/#", "-v", "-W", "2"])
        XCTAssertFalse(read.output.contains("device/\(b)/status"), "A read B's topics with B's client id: \(read.output)")
        // ...and a command published (retained) to B's topic must not reach B when it resubscribes.
        let write = try ChildProcess.run(pub, ["-h", "127.0.0.1", "-p", String(port), "-u", a, "-P", "secret-1", "-i", b,
                                               "-q", "1", "-r", "-t", "device/\(b)/ota", "-m", "{not json"])
        XCTAssertEqual(write.status, 0, write.output)
        awaitCondition("both devices back online", timeout: 15) { runner.snapshot().online == 2 }
        sleep(1)
        XCTAssertEqual(runner.inspectDevice(1) { $0.counters.rejectedCommands }, 0, "A wrote to B's command topic")
        // Control: the observer's command does arrive.
        runner.sendCommand(devices: [1], payload: Array("{not json".utf8))
        awaitCondition("B got the observer's command", timeout: 10) { runner.inspectDevice(1) { $0.counters.rejectedCommands } == 1 }
        // Nobody gets in without an account, nor as the observer without its per-run password.
        for credentials in [[String](), ["-u", "simfleet-observer"], ["-u", "simfleet-observer", "-P", "observer-\(port)"]] {
            let anonymous = try ChildProcess.run(sub, ["-h", "127.0.0.1", "-p", String(port), "-t", "device/+/status", "-v",
                                                       "-W", "2"] + credentials)
            XCTAssertFalse(anonymous.output.contains("device/"), "\(credentials): \(anonymous.output)")
        }
    }

    func testTheSpoofedClientIDProbeIsRefusedAndEveryProbedDeviceComesBack() throws {
        var c = FleetConfiguration(devices: 4, heartbeatMs: 1000, rampPerSecond: 500, durationSeconds: 30, reactors: 2)
        c.idTemplate = "probe-{n}"
        let runner = FleetRunner(configuration: c)
        try runner.start()
        awaitCondition("all devices online", timeout: 10) { runner.snapshot().online == 4 }
        let ids = (0..<4).map { runner.deviceID($0) }
        runner.probeSpoofedClientID(devices: Array(0..<4)) { i in (ids[(i + 1) % 4], "device/" + ids[(i + 1) % 4] + "/status") }
        awaitCondition("spoofed probes settled", timeout: 15) { runner.snapshot().aclRefused + runner.snapshot().aclAllowed == 4 }
        awaitCondition("every probed device is back", timeout: 20) { runner.snapshot().online == 4 }
        runner.requestStop()
        let report = runner.runToCompletion()
        XCTAssertEqual(report.aclAttempts, 4)
        XCTAssertEqual(report.aclRefused, 4, "the ACL is keyed on the user name, not the client id")
        XCTAssertEqual(report.aclAllowed, 0)
        XCTAssertEqual(report.onlineAtEnd, 4)
    }

    func testCommandsReachTheChosenCohortThroughTheBroker() throws {
        var c = FleetConfiguration(devices: 6, heartbeatMs: 1000, rampPerSecond: 500, durationSeconds: 30, reactors: 2)
        c.idTemplate = "cmd-{n}"
        let runner = FleetRunner(configuration: c)
        try runner.start()
        defer { runner.requestStop(); _ = runner.runToCompletion() }
        awaitCondition("all devices online", timeout: 10) { runner.snapshot().online == 6 }
        // A malformed command is the one outcome DeviceCore counts without the updater: it proves delivery.
        runner.sendCommand(devices: [1, 3, 5], payload: Array("{not json".utf8))
        awaitCondition("the cohort received its commands", timeout: 10) {
            [1, 3, 5].allSatisfy { runner.inspectDevice($0) { $0.counters.rejectedCommands } == 1 }
        }
        for i in [0, 2, 4] { XCTAssertEqual(runner.inspectDevice(i) { $0.counters.rejectedCommands }, 0, "device \(i) is not in the cohort") }
    }

    func testDevicesRegisterWithTheBackendAPIOnceAtFirstBoot() throws {
        let api = try RecordingAPI()
        defer { api.stop() }
        var c = FleetConfiguration(devices: 5, heartbeatMs: 1000, rampPerSecond: 500, durationSeconds: 30, reactors: 2)
        c.idTemplate = "reg-{n}"
        c.api = "http://127.0.0.1:\(api.port)/api"
        let runner = FleetRunner(configuration: c)
        try runner.start()
        awaitCondition("five registrations", timeout: 10) { runner.snapshot().registered == 5 }
        runner.powerCycle(devices: [0], offFor: .milliseconds(10))
        awaitCondition("device 0 back online", timeout: 10) { runner.snapshot().online == 5 && runner.snapshot().reconnects >= 1 }
        runner.requestStop()
        let report = runner.runToCompletion()
        XCTAssertEqual(report.registered, 5)
        XCTAssertEqual(report.registrationFailed, 0)
        let requests = api.requests
        XCTAssertEqual(requests.count, 5, "a power cycle does not register again")
        XCTAssertTrue(requests.allSatisfy { $0.path == "/api/devices/register" })
        let codes = try requests.map { try JSONReader().parse($0.body)["device_code"]?.stringValue ?? "" }.sorted()
        XCTAssertEqual(codes, (1...5).map { "reg-\($0)" })
    }
}

/// A minimal real HTTP API (SwiftNIO) that records POSTs and answers 201.
final class RecordingAPI: @unchecked Sendable {
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private var channel: Channel!
    private let lock = NSLock()
    private var recorded: [(path: String, body: [UInt8])] = []
    var port: Int { channel.localAddress!.port! }
    var requests: [(path: String, body: [UInt8])] { lock.lock(); defer { lock.unlock() }; return recorded }

    init() throws {
        channel = try ServerBootstrap(group: group).childChannelInitializer { ch in
            ch.pipeline.configureHTTPServerPipeline().flatMap { ch.pipeline.addHandler(Handler(api: self)) }
        }.bind(host: "127.0.0.1", port: 0).wait()
    }

    func stop() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }

    fileprivate func record(_ path: String, _ body: [UInt8]) { lock.lock(); recorded.append((path, body)); lock.unlock() }

    final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let api: RecordingAPI
        var path = ""
        var body: [UInt8] = []
        init(api: RecordingAPI) { self.api = api }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let h): path = h.uri; body = []
            case .body(var b): body += b.readBytes(length: b.readableBytes) ?? []
            case .end:
                api.record(path, body)
                var headers = HTTPHeaders()
                headers.add(name: "Content-Length", value: "0")
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .created, headers: headers))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}
