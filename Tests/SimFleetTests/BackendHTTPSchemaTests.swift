import DeviceCore
import XCTest
@testable import SimFleet

/// `backend: {api, register, manifest}` and the rollout keys that go with a backend's own manifest
/// and firmware server: parsed into the runtime configuration, every mistake a positioned error.
final class BackendHTTPSchemaTests: XCTestCase {
    func scenario(backend: String, timeline: String = "") -> String {
        "name: t\nduration: 1m\nbackend:\n" + backend + "\nfleet: [{count: 2}]\nfirmware: [{version: 1.1.0}]\n" + timeline
    }

    func testBackendHTTPKeysReachTheRuntimeWithAnyBroker() throws {
        let s = try parseScenario(scenario(backend: """
              broker: mqtt://broker.local:1883
              api: http://api.local:3000/api
              register:
                path: /v2/devices
                body: '{"code":"{id}","mac":"{mac}"}'
                headers: ['Authorization: Bearer {env:SIMFLEET_T_TOKEN}']
                retries: 0
                backoff: 200ms
                backoff_cap: 5s
                timeout: 3s
              manifest:
                url: http://fw.local/firmware/c6-wroom-1/manifest.json
                poll: 5m
                jitter: 1m
                version_source: app_descriptor
            """))
        let http = s.httpBackend
        XCTAssertEqual(http.api, "http://api.local:3000/api")
        XCTAssertEqual(http.registration.path, "/v2/devices")
        XCTAssertEqual(http.registration.retries, 0)
        XCTAssertEqual(http.registration.backoffBase, .milliseconds(200))
        XCTAssertEqual(http.manifest, ManifestOptions(url: "http://fw.local/firmware/c6-wroom-1/manifest.json", poll: .seconds(300),
                                                      jitter: .seconds(60), versionSource: .appDescriptor))
        var c = FleetConfiguration()
        try ScenarioFleet.applyHTTPBackend(s, to: &c, environment: ["SIMFLEET_T_TOKEN": "tk"])
        XCTAssertEqual(c.api, "http://api.local:3000/api")
        XCTAssertEqual(c.registration.headers, ["Authorization: Bearer tk"])
        XCTAssertEqual(c.registration.timeoutSeconds, 3)
        XCTAssertEqual(c.ota.manifestPollSeconds, 300)
        XCTAssertEqual(c.ota.manifestPollJitterSeconds, 60)
        XCTAssertEqual(c.ota.versionSource, .appDescriptor)
        let settings = c.ota.deviceSettings(manifestURL: c.ota.manifestURL)
        XCTAssertEqual(settings.pollInterval, .seconds(300))
        XCTAssertEqual(settings.pollJitter, .seconds(60))
        XCTAssertThrowsError(try ScenarioFleet.applyHTTPBackend(s, to: &c, environment: [:])) { error in
            XCTAssertEqual((error as? ScenarioError)?.key, "SIMFLEET_T_TOKEN")
        }
    }

    func testAnAPIWithoutABrokerMeansTheEmbeddedOne() throws {
        let s = try parseScenario(scenario(backend: "  api: http://127.0.0.1:3000/api"))
        XCTAssertTrue(s.backend.isEmbedded)
        XCTAssertEqual(s.httpBackend.api, "http://127.0.0.1:3000/api")
        XCTAssertEqual(scenarioError(scenario(backend: "  api: http://a\n  username: u"))?.key, "broker")
    }

    func testTheEmbeddedBrokerTakesAnAPIAndAManifestToo() throws {
        let s = try parseScenario(scenario(backend: "  embedded: true\n  api: http://127.0.0.1:3000/api\n  manifest: {poll: 30s}"))
        XCTAssertTrue(s.backend.isEmbedded)
        XCTAssertEqual(s.httpBackend.api, "http://127.0.0.1:3000/api")
        XCTAssertEqual(s.httpBackend.manifest?.poll, .seconds(30))
        XCTAssertNil(s.httpBackend.manifest?.url, "the embedded origin's manifest.json")
        let c = try ScenarioFleet.configuration(s)
        XCTAssertEqual(c.ota.deviceSettings(manifestURL: nil).pollJitter, .seconds(3), "a tenth of the poll by default")
    }

    func testMistakesNameTheirKey() {
        let cases: [(String, String, String)] = [
            ("  embedded: true\n  register: {retries: 2}", "register", "'register' needs 'api'"),
            ("  api: ftp://x", "api", "must be an http:// or https:// URL"),
            ("  embedded: true\n  api: http://a\n  register: {retries: 50}", "retries", "between 0 and 20"),
            ("  embedded: true\n  api: http://a\n  register: {headers: ['no colon']}", "headers", "'Name: value'"),
            ("  embedded: true\n  api: http://a\n  register: {path: devices}", "path", "must start with /"),
            ("  embedded: true\n  manifest: {jitter: 10s}", "jitter", "needs 'poll'"),
            ("  embedded: true\n  manifest: {poll: 10s, jitter: 20s}", "jitter", "may not exceed"),
            ("  embedded: true\n  manifest: {version_source: git}", "version_source", "release, app_descriptor"),
            ("  embedded: true\n  manifest: {pol: 10s}", "pol", "unknown key"),
        ]
        for (backend, key, message) in cases {
            let e = scenarioError(scenario(backend: backend))
            XCTAssertEqual(e?.key, key, backend)
            XCTAssertTrue(e?.message.contains(message) ?? false, (e?.description ?? "") + " lacks " + message)
        }
    }

    func testRolloutKeysForABackendsOwnImagesAndManifest() throws {
        let ok = try parseScenario(scenario(backend: "  broker: mqtt://b:1", timeline: """
            timeline:
              - rollout: {version: 2.0.0, url: 'http://fw.local/2.0.0.bin', size: 1MB}
            """))
        guard case .rollout(let r) = ok.timeline[0].action else { return XCTFail() }
        XCTAssertEqual(r.url, "http://fw.local/2.0.0.bin")
        XCTAssertEqual(r.size, 1 << 20)
        XCTAssertTrue(RuntimeSupport.unsupported(ok).isEmpty, "rollout by command works against an external broker")
        let cases: [(String, String, String)] = [
            ("  embedded: true", "timeline:\n  - rollout: {version: 2.0.0}", "is not in 'firmware'"),
            ("  embedded: true", "timeline:\n  - rollout: {version: 1.1.0, via: manifest, url: 'http://x/f.bin'}", "goes with 'via: mqtt'"),
            ("  embedded: true", "timeline:\n  - rollout: {version: 1.1.0, via: poll}", "needs devices that poll"),
            ("  embedded: true\n  manifest: {poll: 10s}", "timeline:\n  - rollout: {version: 1.1.0, via: poll, cohort: 10%}", "whole fleet"),
            ("  embedded: true\n  manifest: {url: 'http://b/m.json', poll: 10s}", "timeline:\n  - rollout: {version: 1.1.0, via: manifest}",
             "publish the release there"),
            ("  embedded: true", "timeline:\n  - rollout: {version: 1.1.0, sha256: abc}", "64 hex digits"),
        ]
        for (backend, timeline, message) in cases {
            let e = scenarioError(scenario(backend: backend, timeline: timeline))
            XCTAssertTrue(e?.message.contains(message) ?? false, (e?.description ?? "valid") + " lacks " + message)
        }
    }

    func testFlagsOnlyRunIsAOneGroupScenarioLastingTheRampAndTheSteadyTime() throws {
        var f = FleetFlags()
        f.devices = 1000
        f.rampPerSecond = 100
        f.steady = .seconds(30)
        f.idTemplate = "dev-{mac}"
        var http = BackendHTTP()
        http.manifest = ManifestOptions(poll: .seconds(60))
        let s = Scenario.oneGroup(f, httpBackend: http)
        XCTAssertEqual(s.fleet.count, 1)
        XCTAssertEqual(s.deviceCount, 1000)
        XCTAssertEqual(s.duration, .seconds(40))
        var o = ScenarioOverrides()
        o.scale = 0.01
        o.versionSource = .appDescriptor
        let scaled = o.apply(to: s)
        XCTAssertEqual(scaled.deviceCount, 10)
        XCTAssertEqual(scaled.httpBackend.manifest?.versionSource, .appDescriptor)
        XCTAssertEqual(scaled.httpBackend.manifest?.poll, .seconds(60), "flags add to what is there")
        let c = try ScenarioFleet.configuration(scaled)
        XCTAssertEqual(c.devices, 10)
        XCTAssertEqual(c.ota.manifestPollSeconds, 60)
        XCTAssertTrue(c.deviceSpec(0).id.hasPrefix("dev-240ac4"))
    }
}
