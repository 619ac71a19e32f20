import DeviceCore
import Foundation
import XCTest
@testable import SimFleet

/// A backend (or anyone on a shared broker) that publishes OTA commands the devices cannot read
/// sees them counted in the report: each device logs and ignores them, and the run goes on.
final class RejectedCommandTests: XCTestCase {
    func testUnreadableOTACommandsAreCountedAndChangeNothing() throws {
        let broker = try PlainBroker()
        defer { broker.stop() }
        let run = try ScenarioStepRun("""
            name: rejected
            seed: 3
            duration: 60s
            backend:
              broker: \(broker.url)
            fleet:
              - name: field
                count: 2
                heartbeat: 1s
            """)
        awaitCondition("both devices online", timeout: 20) { run.runner.snapshot().online == 2 }
        let topic = "device/" + run.plan.devices[0].id + "/ota"
        let unreadable = ["not json at all", "{\"version\":\"2.0.0\"}", "{\"version\":7,\"url\":\"http://x/y.bin\",\"sha256\":\"zz\",\"size\":-1}",
                          "[1,2,3]"]
        let pub = try XCTUnwrap(EmbeddedBroker.which("mosquitto_pub"))
        for payload in unreadable {
            let child = try ChildProcess.run(URL(fileURLWithPath: pub), ["-h", "127.0.0.1", "-p", String(broker.port), "-q", "1",
                                                                        "-t", topic, "-m", payload])
            XCTAssertEqual(child.status, 0, child.output)
        }
        awaitCondition("the device rejected all four", timeout: 20) {
            run.runner.otaOutcomes().rejectedCommands == unreadable.count
        }
        let report = run.finish()
        XCTAssertEqual(report.otaOutcomes?.rejectedCommands, unreadable.count)
        XCTAssertEqual(report.otaOutcomes?.started, 0, "an unreadable command starts nothing")
        XCTAssertEqual(report.versions, ["1.0.0": 2])
        XCTAssertEqual(report.lost, 0)
        XCTAssertTrue(report.summary().contains("4 commands rejected by the devices"), report.summary())
        let json = try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as! [String: Any]
        XCTAssertEqual((json["ota"] as? [String: Any])?["rejected_commands"] as? Int, 4)
    }
}
