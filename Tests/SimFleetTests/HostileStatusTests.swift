import DeviceCore
import Foundation
import XCTest
@testable import SimFleet

/// Status messages the fleet never sent, published with a real `mosquitto_pub` to the run's broker:
/// the run goes on, writes its report, counts them (`messages.malformed`, `messages.foreign`) and
/// keeps them out of delivery accounting.
final class HostileStatusTests: XCTestCase {
    static let mosquittoPub = URL(fileURLWithPath: "/usr/bin/mosquitto_pub")

    /// Publishes each line of `payloads` to `topic` over one connection (QoS 1).
    static func publish(_ payloads: [String], topic: String, port: Int, username: String, password: String) throws {
        let child = try ChildProcess.run(mosquittoPub, ["-h", "127.0.0.1", "-p", String(port), "-u", username, "-P", password,
                                                        "-i", username, "-q", "1", "-t", topic, "-l"],
                                         input: payloads.joined(separator: "\n") + "\n")
        XCTAssertEqual(child.status, 0, child.output)
    }

    func testHostileStatusMessagesOnADevicesTopicAreCountedAndTheRunGoesOn() throws {
        let bundle = Bundle(for: HostileStatusTests.self).bundleURL
        let binary = try XCTUnwrap([bundle, bundle.deletingLastPathComponent()].map { $0.appendingPathComponent("simfleet") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) })
        let report = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: report) }
        let run = Process()
        let err = Pipe()
        run.executableURL = binary
        // Device credentials from templates, so this test may publish as device 1 on its own topic.
        run.arguments = ["run", "--devices", "3", "--duration", "12s", "--heartbeat", "500ms", "--username", "{id}",
                         "--password", "secret-{n}", "--report", report.path]
        run.standardOutput = FileHandle.nullDevice
        run.standardError = err
        try run.run()
        defer { if run.isRunning { run.terminate() } }
        // "simfleet: 3 devices on mqtt://127.0.0.1:PORT, ..." names the embedded broker.
        var banner = Data()
        while !String(decoding: banner, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            .contains(where: { $0.contains("mqtt://") }) {
            let chunk = err.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }
            banner.append(chunk)
        }
        let text = String(decoding: banner, as: UTF8.self)
        let port = try XCTUnwrap(text.range(of: "mqtt://127.0.0.1:").flatMap { r in Int(text[r.upperBound...].prefix { $0.isNumber }) },
                                 text)
        sleep(2)
        let id = "esp32c6-000001"
        try Self.publish([
            #"{"id":"esp32c6-000001","state":"online","seq":5,"ts":99999999999999999}"#,   // ts overflows 64-bit µs
            #"{"seq":4294967295,"boot_count":2147483647}"#,                                 // no id: not a heartbeat
            #"{"seq":4294967295,"boot_count":2147483647}"#,
            #"{"id":"esp32c6-000001","state":"online","boot_count":2147483647,"seq":4294967295,"ts":1764396000000}"#,
            #"{"id":"esp32c6-000001","state":"online","boot_count":2147483647,"seq":4294967295,"ts":1764396000000}"#,
            "not json at all",
            #"{"id":"esp32c6-000001","seq":-1}"#,
        ], topic: "device/\(id)/status", port: port, username: id, password: "secret-1")
        run.waitUntilExit()
        XCTAssertEqual(run.terminationStatus, 0, "the run went on to its end")
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any])
        let messages = try XCTUnwrap(json["messages"] as? [String: Any])
        XCTAssertEqual(messages["malformed"] as? Int, 5, "\(messages)")
        XCTAssertEqual(messages["foreign"] as? Int, 0)
        let devices = try XCTUnwrap(json["devices"] as? [String: Any])
        XCTAssertEqual(devices["connected"] as? Int, 3)
        XCTAssertEqual(devices["online_at_end"] as? Int, 3, "device 1 came back after the publisher took its session")
        // The one well-formed forgery (key boot_count << 32 | seq = Int.max) is indistinguishable from
        // a heartbeat: received once, then a duplicate. Nothing else reached the accounting.
        let sent = try XCTUnwrap(messages["sent"] as? Int), received = try XCTUnwrap(messages["received"] as? Int)
        XCTAssertLessThanOrEqual(received, sent + 1)
    }

    /// Publishes all of stdin as one message (`-s`), however large.
    static func publishOne(_ payload: String, topic: String, port: Int, username: String, password: String) throws {
        let child = try ChildProcess.run(mosquittoPub, ["-h", "127.0.0.1", "-p", String(port), "-u", username, "-P", password,
                                                        "-i", username, "-q", "1", "-t", topic, "-s"], input: payload)
        XCTAssertEqual(child.status, 0, child.output)
    }

    func testTheEmbeddedBrokerDropsMessagesOverItsSizeLimit() throws {
        var c = FleetConfiguration(devices: 2, heartbeatMs: 1000, qos: 1, rampPerSecond: 200, seed: 5, durationSeconds: 30,
                                   reactors: 1, drainSeconds: 5)
        c.idTemplate = "big-{n}"
        c.usernameTemplate = "{id}"
        c.passwordTemplate = "secret-{n}"
        let runner = FleetRunner(configuration: c)
        try runner.start()
        awaitCondition("fleet online", timeout: 10) { runner.snapshot().online == 2 }
        let port = try XCTUnwrap(runner.broker?.ports.first)
        let id = runner.deviceID(0)
        // On a status topic: 10 KB of garbage is delivered (and counted), 20 KB never is.
        try Self.publishOne("{" + String(repeating: "x", count: 10_000) + "}", topic: "device/\(id)/status", port: port,
                            username: id, password: "secret-1")
        try Self.publishOne("{" + String(repeating: "y", count: 20_000) + "}", topic: "device/\(id)/status", port: port,
                            username: id, password: "secret-1")
        // Commands: 6 KB passes the broker and is refused by the device (its limit is 4 KB); 20 KB never arrives.
        runner.sendCommand(devices: [1], payload: Array(("{\"url\":\"http://x/" + String(repeating: "a", count: 6_000) + "\"}").utf8))
        runner.sendCommand(devices: [1], payload: Array(("{\"url\":\"http://x/" + String(repeating: "b", count: 20_000) + "\"}").utf8))
        awaitCondition("the 6 KB command was refused", timeout: 10) { runner.inspectDevice(1) { $0.counters.rejectedCommands } == 1 }
        sleep(1)
        XCTAssertEqual(runner.inspectDevice(1) { $0.counters.rejectedCommands }, 1, "the 20 KB command never reached the device")
        runner.requestStop()
        let report = runner.runToCompletion()
        let messages = try XCTUnwrap(try JSONReader(maxBytes: 1 << 22).parse(Array(report.json().utf8))["messages"])
        XCTAssertEqual(messages["malformed"]?.int64Value, 1, "only the 10 KB message reached the observer")
    }

    func testADeviceHostCopiesNoMoreOfAMessageThanTheDeviceCanAccept() {
        let big = [UInt8](repeating: 0x7B, count: 1 << 20)
        let copied = big.withUnsafeBytes { DeviceHost.inboundPayload($0, limit: 4096) }
        XCTAssertEqual(copied.count, 4097, "one byte over the limit: the parser refuses it as too large")
        XCTAssertEqual([UInt8](repeating: 1, count: 10).withUnsafeBytes { DeviceHost.inboundPayload($0, limit: 4096) }.count, 10)
        XCTAssertThrowsError(try OTACommandParser(maxBytes: 4096).command(copied, origin: .mqttCommand)) {
            XCTAssertEqual(($0 as? OTACommandError)?.reason, "malformed JSON: body larger than 4096 bytes")
        }
    }

    func testStatusMessagesOfDevicesOutsideTheFleetAreCountedAsForeignAndNotAsDeliveries() throws {
        var c = FleetConfiguration(devices: 3, heartbeatMs: 500, qos: 1, rampPerSecond: 200, seed: 3, durationSeconds: 30,
                                   reactors: 1, drainSeconds: 5)
        c.idTemplate = "fleet-{n}"
        c.usernameTemplate = "{id}"
        c.passwordTemplate = "secret-{n}"
        // A shared broker: the fleet's accounts and a real device that is not part of this run.
        var accounts = (0..<3).map { i -> (user: String, password: String) in
            let s = c.deviceSpec(i)
            return (s.username!, s.password!)
        }
        accounts.append((user: "neighbour-7", password: "n7"))
        let broker = try EmbeddedBroker(passwords: accounts)
        try broker.start()
        defer { broker.stop() }
        c.broker = .external(host: "127.0.0.1", port: broker.ports[0], tls: nil)
        c.observerUsername = broker.observerUser
        c.observerPassword = broker.observerPassword
        let runner = FleetRunner(configuration: c)
        try runner.start()
        awaitCondition("fleet online", timeout: 10) { runner.snapshot().online == 3 }
        try Self.publish([
            #"{"id":"neighbour-7","fw":"9.9.9","state":"online","boot_count":1,"seq":1,"ts":1764396000000}"#,
            #"{"id":"neighbour-7","fw":"9.9.9","state":"online","boot_count":1,"seq":2,"ts":1764396000500}"#,
            #"{"state":"offline"}"#,
        ], topic: "device/neighbour-7/status", port: broker.ports[0], username: "neighbour-7", password: "n7")
        sleep(1)
        runner.requestStop()
        let report = runner.runToCompletion()
        let messages = try XCTUnwrap(try JSONReader(maxBytes: 1 << 22).parse(Array(report.json().utf8))["messages"])
        XCTAssertEqual(messages["foreign"]?.int64Value, 3)
        XCTAssertEqual(messages["malformed"]?.int64Value, 0)
        XCTAssertEqual(report.received, report.sent, "only the fleet's heartbeats are deliveries")
        XCTAssertEqual(report.lost, 0)
    }
}
