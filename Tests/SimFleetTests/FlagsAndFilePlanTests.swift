import DeviceCore
import XCTest
@testable import SimFleet

/// A flags-only run and a scenario file that say the same make the same plan: the same devices
/// (ids, MACs, seeds, heartbeat, QoS, keepalive), ramp and duration, because both go through one
/// pass with one set of defaults and ranges (`FleetDefaults`, `FleetLimits`).
final class FlagsAndFilePlanTests: XCTestCase {
    func assertSamePlan(_ a: FleetConfiguration, _ b: FleetConfiguration, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.devices, b.devices, "devices", file: file, line: line)
        XCTAssertEqual(a.durationSeconds, b.durationSeconds, accuracy: 1e-6, "steady time", file: file, line: line)
        XCTAssertEqual(a.seed, b.seed, file: file, line: line)
        XCTAssertEqual(a.rampPerSecond, b.rampPerSecond, file: file, line: line)
        XCTAssertEqual(a.keepAliveSeconds, b.keepAliveSeconds, file: file, line: line)
        XCTAssertEqual(a.broker, b.broker, file: file, line: line)
        XCTAssertEqual(a.topics, b.topics, file: file, line: line)
        XCTAssertEqual(a.mqtt, b.mqtt, file: file, line: line)
        XCTAssertEqual(a.groupName, b.groupName, file: file, line: line)
        XCTAssertEqual(a.timerTickMs, b.timerTickMs, file: file, line: line)
        XCTAssertEqual(a.drainSeconds, b.drainSeconds, file: file, line: line)
        XCTAssertEqual(a.reactorsSetting, b.reactorsSetting, file: file, line: line)
        XCTAssertEqual(a.shapes == nil, b.shapes == nil, "one shape", file: file, line: line)
        XCTAssertEqual(a.accessPoints == nil, b.accessPoints == nil, "portals", file: file, line: line)
        XCTAssertEqual(a.usernameTemplate, b.usernameTemplate, file: file, line: line)
        for i in 0..<min(a.devices, b.devices) {
            XCTAssertEqual(a.deviceSpec(i), b.deviceSpec(i), "device \(i)", file: file, line: line)
            XCTAssertEqual(a.powerOnOffset(i), b.powerOnOffset(i), "power-on of device \(i)", file: file, line: line)
        }
    }

    func testTheSameFleetFromFlagsAndFromAFileMakesEqualPlans() throws {
        let flags = try FleetFlags(devices: "12", duration: "30s", heartbeat: "2s", qos: "0", ramp: "40/s", seed: "7",
                                   chip: "esp32s3", firmware: "2.1.0", idTemplate: "dev-{mac}-{n:04}")
        let fromFlags = try ScenarioFleet.configuration(Scenario.oneGroup(flags))
        let fromFile = try ScenarioFleet.configuration(parseScenario("""
        name: flags
        seed: 7
        duration: 30300ms
        fleet:
          - count: 12
            heartbeat: 2s
            qos: 0
            ramp: 40/s
            chip: esp32s3
            firmware: 2.1.0
            id: 'dev-{mac}-{n:04}'

        """))
        assertSamePlan(fromFlags, fromFile)
        XCTAssertEqual(fromFile.deviceSpec(11).heartbeatMs, 2000)
        XCTAssertEqual(fromFile.deviceSpec(11).qos, 0)
        XCTAssertTrue(fromFile.deviceSpec(0).id.hasPrefix("dev-"), fromFile.deviceSpec(0).id)
    }

    func testAFleetLeftToItsDefaultsIsTheSameFromFlagsAndFromAFile() throws {
        let flags = FleetFlags()
        let fromFlags = try ScenarioFleet.configuration(Scenario.oneGroup(flags))
        let ramp = Double(FleetDefaults.devices) / FleetDefaults.rampPerSecond
        let total = Units.format(FleetDefaults.steady + TimeSpan(microseconds: Int64((ramp * 1e6).rounded(.up))))
        let fromFile = try ScenarioFleet.configuration(parseScenario("name: flags\nduration: \(total)\nfleet:\n  - count: \(FleetDefaults.devices)\n"))
        assertSamePlan(fromFlags, fromFile)
        assertSamePlan(fromFile, FleetConfiguration())  // the initialiser's defaults are the same ones
        XCTAssertEqual(fromFile.deviceSpec(0).heartbeatMs, FleetDefaults.heartbeat.milliseconds)
        XCTAssertEqual(fromFile.keepAliveSeconds, 60, "DeviceCore's keepalive")
    }

    func testFlagsAndKeysShareTheirRanges() throws {
        for (text, accepted) in [("100ms", true), ("99ms", false), ("1h", true), ("61m", false)] {
            XCTAssertEqual((try? FlagValue.heartbeat(text)) != nil, accepted, "--heartbeat " + text)
            XCTAssertEqual((try? parseScenario("name: t\nduration: 10s\nfleet: [{count: 1, heartbeat: \(text)}]\n")) != nil, accepted,
                           "heartbeat: " + text)
        }
        for (text, accepted) in [("0.001/s", true), ("0.0001/s", false), ("1000000/s", true), ("1000001/s", false)] {
            XCTAssertEqual((try? FlagValue.ramp(text)) != nil, accepted, "--ramp " + text)
            XCTAssertEqual((try? parseScenario("name: t\nduration: 10s\nfleet: [{count: 1, ramp: \(text)}]\n")) != nil, accepted,
                           "ramp: " + text)
        }
    }

    func testABadFleetFlagIsRefusedNamingTheFlag() {
        for (make, flag) in [({ () throws(FlagError) in _ = try FleetFlags(qos: "3") }, "--qos"),
                             ({ () throws(FlagError) in _ = try FleetFlags(heartbeat: "50ms") }, "--heartbeat"),
                             ({ () throws(FlagError) in _ = try FleetFlags(chip: "esp8266") }, "--chip"),
                             ({ () throws(FlagError) in _ = try FleetFlags(devices: "0") }, "--devices"),
                             ({ () throws(FlagError) in _ = try FleetFlags(devices: "3", idTemplate: "dev") }, "--id-template")] {
            do {
                try make()
                XCTFail(flag + " accepted")
            } catch {
                XCTAssertEqual(error.flag, flag)
                XCTAssertTrue(error.message.hasPrefix(flag), error.message)
            }
        }
    }

    func testAPlanErrorAboutAFlagsValueNamesTheFlagOnTheCommandLine() throws {
        for (flags, message) in [(["--username", "user-{n}"], "--username: with the embedded broker a device's MQTT user name must be its id"),
                                 (["--api", "http://127.0.0.1:9", "--register-header", "Authorization: Bearer {env:SIMFLEET_UNSET_PLAN_TEST}"],
                                  "--register-header: the registration templates name {env:SIMFLEET_UNSET_PLAN_TEST}")] {
            let run = try Simfleet.run(["run", "--devices", "2", "--duration", "1s"] + flags)
            XCTAssertEqual(run.status, 2, run.output)
            XCTAssertTrue(run.output.contains(message), run.output)
        }
    }

    func testTheCommandLineAndAFileListTheSameDevicesAndAddresses() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("simfleet-plan-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let scenario = dir.appendingPathComponent("same.yaml").path
        try """
        name: same
        seed: 9
        duration: 10s
        fleet:
          - count: 5
            id: 'dev-{mac}-{n}'
        device_http: {port: 8181, pool: 127.43.0.0/16}

        """.write(toFile: scenario, atomically: true, encoding: .utf8)
        let fromFlags = try Simfleet.run(["run", "--devices", "5", "--seed", "9", "--id-template", "dev-{mac}-{n}", "--device-http",
                                          "--device-http-port", "8181", "--ap-pool", "127.43.0.0/16", "--print-addresses"])
        let fromFile = try Simfleet.run(["run", scenario, "--print-addresses"])
        XCTAssertEqual(fromFlags.status, 0, fromFlags.output)
        XCTAssertEqual(fromFile.status, 0, fromFile.output)
        XCTAssertEqual(fromFlags.output.split(separator: "\n").filter { $0.hasPrefix("dev-") }.count, 5, fromFlags.output)
        XCTAssertEqual(fromFlags.output, fromFile.output)
    }
}
