import DeviceCore
import XCTest
@testable import SimFleet

/// Topic templates, the patterns the observer matches with, and the ACL built from them.
final class TopicLayoutTests: XCTestCase {
    let place = TopicPlaceholders(id: "esp32c6-000007", n: 7, chip: "esp32c6", group: "north", mac: "240ac4a1b2c3")

    func template(_ text: String) -> TopicTemplate {
        do { return try TopicTemplate(text) } catch {
            XCTFail("refused '\(text)': \(error.message)")
            return TopicLayout.default.status
        }
    }

    func testTemplatesResolveEveryPlaceholderAndKeepIDForTheDevice() {
        let t = template("tenants/{group}/{chip}-{n:04}/{mac}/{id}/state")
        XCTAssertEqual(t.resolve(place), "tenants/north/esp32c6-0007/240ac4a1b2c3/esp32c6-000007/state")
        XCTAssertEqual(t.expandingFleetPlaceholders(place), "tenants/north/esp32c6-0007/240ac4a1b2c3/{id}/state")
        XCTAssertEqual(t.expandingGroup("south", chip: "esp32"), "tenants/south/esp32-{n:04}/{mac}/{id}/state")
        XCTAssertTrue(t.variesWithinGroup)
        XCTAssertFalse(template("a/{group}/{id}").variesWithinGroup)
    }

    func testBadTemplatesAreRefusedWithWhereTheyGoWrong() {
        func problem(_ text: String) -> TopicTemplateError? {
            do { _ = try TopicTemplate(text); return nil } catch { return error }
        }
        XCTAssertEqual(problem("device/+/status")?.offset, 7, "a filter is not a topic")
        XCTAssertEqual(problem("device/#")?.offset, 7)
        XCTAssertEqual(problem("device/{idd}/status")?.offset, 7)
        XCTAssertEqual(problem("device/{id/status")?.message, "has an unclosed '{'")
        XCTAssertNotNil(problem("device//{id}"), "an empty level")
        XCTAssertNotNil(problem("/device/{id}"), "a leading slash is an empty level")
        XCTAssertEqual(problem("fleet/status")?.message, "is the same for every device; add {id}")
        XCTAssertNil(problem("fleet/{n:06}/status"), "{n} tells devices apart too")
        XCTAssertNotNil(problem("x/{n:0}/y"))
    }

    func testDefaultLayoutIsTheWireContractAndAPrefixReplacesItsFirstLevels() throws {
        XCTAssertEqual(TopicLayout.default.names(place), DeviceTopicNames(status: "device/esp32c6-000007/status",
                                                                        ota: "device/esp32c6-000007/ota", logs: "device/esp32c6-000007/logs"))
        XCTAssertEqual(TopicLayout.default.statusFilter, "device/+/status")
        XCTAssertEqual(TopicLayout.default.otaFilter, "device/+/ota")
        let acme = try TopicLayout(prefix: "tenants/acme/")
        XCTAssertEqual(acme.status.text, "tenants/acme/{id}/status")
        XCTAssertEqual(acme.logs.text, "tenants/acme/{id}/logs")
        XCTAssertThrowsError(try TopicLayout(prefix: "a/+"))
        XCTAssertThrowsError(try TopicLayout(prefix: ""))
    }

    func testPatternMapsATopicBackToTheDeviceKeyAndRefusesOtherShapes() {
        let status = TopicPattern(template("device/{id}/status"))
        XCTAssertEqual(status.filter, "device/+/status")
        XCTAssertEqual(status.key(of: "device/esp32c6-000001/status"), "esp32c6-000001", "the key of the default layout is the id")
        for other in ["device/esp32c6-000001/ota", "device//status", "device/a/b/status", "devices/x/status", "device/x/status/",
                      "device/x", "", "device/x/statu", "device/x/statuss"] {
            XCTAssertNil(status.key(of: other), other)
        }
        let layered = TopicPattern(template("t/{group}/dev-{id}.{n}/up"))
        XCTAssertEqual(layered.filter, "t/+/+/up")
        XCTAssertEqual(layered.key(of: "t/north/dev-a1.3/up"), "north/a1.3")
        XCTAssertNil(layered.key(of: "t/north/dev-/up"), "a placeholder is never empty")
        XCTAssertNil(layered.key(of: "t/north/xdev-a1/up"))
        XCTAssertGreaterThan(TopicPattern("t/north/{id}/up").fixedBytes, TopicPattern("t/{group}/{id}/up").fixedBytes,
                             "a group's own pattern is more specific than the fleet's")
    }

    func testDifferentDevicesHaveDifferentKeys() {
        let t = template("fleet/{group}/{n}/state")
        let pattern = TopicPattern(t)
        var keys = Set<String>()
        for group in ["a", "b"] {
            for n in 1...50 {
                let topic = t.resolve(TopicPlaceholders(id: "x", n: n, chip: "esp32", group: group, mac: ""))
                keys.insert(pattern.key(of: topic) ?? "none")
            }
        }
        XCTAssertEqual(keys.count, 100)
        XCTAssertFalse(keys.contains("none"))
    }

    func testACLConfinesEachDeviceByItsUserNameInOnePatternLine() throws {
        XCTAssertEqual(TopicACL.devicePatterns([TopicLayout.default.status, TopicLayout.default.ota, TopicLayout.default.logs]),
                       ["pattern readwrite device/%u/#"])
        let acme = TopicLayout(status: template("tenants/acme/{id}/state"), ota: template("tenants/acme/{id}/cmd"),
                               logs: template("tenants/acme/{id}/log"))
        let acl = BrokerACL(layout: acme, telemetry: [template("tenants/acme/{id}/telemetry/{group}")])
        XCTAssertEqual(acl.devicePatterns, ["pattern readwrite tenants/acme/%u/#"])
        XCTAssertEqual(acl.observerReads, ["tenants/acme/+/state", "tenants/acme/+/telemetry/+"])
        XCTAssertEqual(acl.observerWrites, ["tenants/acme/+/cmd"])
        let text = acl.fileText(observer: "simfleet-observer", watcher: "simfleet-watcher")
        XCTAssertTrue(text.contains("user simfleet-observer\ntopic read tenants/acme/+/state\n"), text)
        XCTAssertTrue(text.contains("user simfleet-watcher\ntopic read tenants/acme/+/state\ntopic read tenants/acme/+/telemetry/+\n\n"),
                      "the watcher reads what the observer reads and writes nothing: " + text)

        let split = BrokerACL(layout: TopicLayout(status: template("state/{group}/{id}"), ota: template("cmd/{id}"),
                                                  logs: template("state/{group}/{id}/logs")))
        XCTAssertEqual(split.devicePatterns, ["pattern readwrite state/+/%u", "pattern readwrite cmd/%u", "pattern readwrite state/+/%u/logs"],
                       "no shared namespace: one line per template, other placeholders as +")
        XCTAssertEqual(TopicACL.devicePatterns([template("d/{id}/s")], token: "%c"), ["pattern readwrite d/%c/#"])
    }

    func testTemplatesWithoutAnIDLevelCannotBeConfinedByTheEmbeddedBroker() throws {
        XCTAssertNil(TopicACL.unconfinable([TopicLayout.default.status, template("a/{id}/t")]))
        XCTAssertEqual(TopicACL.unconfinable([TopicLayout.default.status, template("a/dev-{id}/t")])?.text, "a/dev-{id}/t")
        var c = FleetConfiguration(devices: 3)
        c.topics.status = template("fleet/{n}/state")
        XCTAssertTrue(c.topicProblem()?.contains("no level that is exactly {id}") == true, c.topicProblem() ?? "")
        c.broker = .external(host: "127.0.0.1", port: 1883, tls: nil)
        XCTAssertNil(c.topicProblem(), "an external broker takes any layout")
    }

    func testLayoutsWhereDevicesShareOrConfuseTopicsAreRefused() throws {
        var c = FleetConfiguration(devices: 4)
        c.topics.ota = c.topics.status
        XCTAssertEqual(c.topicProblem(), "the status and ota topics are the same")

        c = FleetConfiguration(devices: 4)
        c.idTemplate = "dev-{n}"
        c.broker = .external(host: "127.0.0.1", port: 1883, tls: nil)
        c.topics.status = template("fleet/{chip}/{mac}/state")
        XCTAssertNil(c.topicProblem(), "MACs differ")

        c = FleetConfiguration(devices: 2)
        let payload = try TelemetryTemplateText.compile("{seq}")
        c.telemetry = [FleetTelemetryStream(name: "a", topic: template("device/{id}/{chip}"), every: .seconds(1), payloadText: "{seq}",
                                            payload: payload)]
        XCTAssertNil(c.topicProblem(), "device/+/+ also covers status topics, but the observer tries the status pattern first")
        c.telemetry[0].topic = template("device/{id}/status")
        XCTAssertTrue(c.topicProblem()?.contains("status, ota or logs topic") == true, c.topicProblem() ?? "")
        c.telemetry[0].topic = template("x/{id}/t")
        c.telemetry.append(FleetTelemetryStream(name: "b", topic: template("x/{id}/t"), every: .seconds(2), payloadText: "{seq}",
                                                payload: payload))
        XCTAssertTrue(c.topicProblem()?.contains("tell apart") == true, c.topicProblem() ?? "")
        c.telemetry[1].topic = template("x/{id}/u")
        XCTAssertNil(c.topicProblem())
        c.telemetry[1].qos = 2
        XCTAssertNil(c.topicProblem(), "QoS 2 telemetry is supported")
        c.telemetry[1].qos = 3
        XCTAssertTrue(c.topicProblem()?.contains("(0, 1 or 2)") == true, c.topicProblem() ?? "")
    }

    func testProbeTopicsFollowTheLayout() throws {
        let s = try ScenarioLoader.parse(bytes: Array("""
            name: p
            duration: 10s
            topics: {status: "t/{id}/state", ota: "t/{id}/cmd", logs: "t/{id}/log"}
            fleet: [{count: 3, id: "d{n}"}]
            """.utf8), file: "p.yaml")
        let plan = ScenarioPlan(s)
        let topics = (0..<5).map { ACLProbeTopics.topic(device: 0, attempt: $0, plan: plan, layout: s.topics) }
        XCTAssertEqual(topics, ["t/d2/state", "t/d2/cmd", "t/d2/log", "t/+/state", "#"])
        XCTAssertEqual(ACLProbeTopics.topic(device: 0, attempt: 0, plan: plan), "device/d2/status", "the default layout")
    }
}
