import DeviceCore
import XCTest
@testable import SimFleet

/// `provisioning:` of a fleet group and `provision`'s `via`/`pop`: read into the device's
/// configuration, every mistake named with its file position and key.
final class ProvisioningSchemaTests: XCTestCase {
    func group(_ provisioning: String) -> String {
        """
        name: t
        duration: 60s
        fleet:
          - name: main
            count: 2
            provisioned: false
            provisioning: \(provisioning)
        timeline:
          - provision: {via: idf_softap}
        """
    }

    func testReferencePresetIsTheReferenceFirmwaresCall() throws {
        let s = try parseScenario(group("{preset: reference}"))
        let config = s.fleet[0].provisioningConfig
        XCTAssertEqual(config.scheme, .idfSoftAP)
        XCTAssertEqual(config.softAP, .reference)
        XCTAssertEqual(config.softAP.security, .proofOfPossession(Array("12345678".utf8)))
        XCTAssertEqual(config.softAP.serviceName, "iot-ctrlr")
        guard case .provision(let p) = s.timeline[0].action else { return XCTFail("not a provision step") }
        XCTAssertEqual(p.via, .idfSoftAP)
    }

    func testKeysGivenOverrideThePreset() throws {
        let s = try parseScenario(group("{preset: reference, security: 2, username: wifiprov, password: abcd1234, auto_stop: false}"))
        let config = s.fleet[0].provisioningConfig
        XCTAssertEqual(config.softAP.security, .srp6a(.password(username: "wifiprov", password: "abcd1234")))
        XCTAssertFalse(config.softAP.autoStop)
        XCTAssertEqual(config.softAP.serviceName, "iot-ctrlr")
        let both = try parseScenario(group("{scheme: both, security: 1, pop: 87654321, service_name: shop-ap}")).fleet[0]
        XCTAssertEqual(both.provisioningConfig.scheme, .both)
        XCTAssertEqual(both.provisioningConfig.softAP.security, .proofOfPossession(Array("87654321".utf8)))
        XCTAssertEqual(both.provisioningConfig.softAP.serviceName, "shop-ap")
        let custom = try parseScenario(group("{preset: reference, custom_endpoints: [custom-data, fleet-info]}")).fleet[0]
        XCTAssertEqual(custom.provisioningConfig.softAP.customEndpoints.map(\.name), ["custom-data", "fleet-info"])
        let verifier = try parseScenario(group("{scheme: idf_softap, security: 2, salt: 0a0b, verifier: 0c0d0e}")).fleet[0]
        XCTAssertEqual(verifier.provisioningConfig.softAP.security, .srp6a(.verifier(salt: [10, 11], verifier: [12, 13, 14])))
    }

    func testMistakesAreNamedWithTheirPosition() {
        let cases: [(String, String, String, Int)] = [
            ("{preset: factory}", "preset", "must be one of", 7),
            ("{scheme: bluetooth}", "scheme", "must be one of", 7),
            ("{scheme: idf_softap, security: 3}", "security", "between 0 and 2", 7),
            ("{scheme: idf_softap, security: 0, pop: '1234'}", "pop", "does not apply to security 0", 7),
            ("{scheme: idf_softap, security: 1, username: x}", "username", "security 2 only", 7),
            ("{scheme: idf_softap, security: 2, username: wifiprov}", "password", "needs a username and password", 7),
            ("{scheme: idf_softap, security: 2, salt: zz, verifier: 0c}", "salt", "hex bytes", 7),
            ("{scheme: idf_softap, service_name: 012345678901234567890123456789012}", "service_name", "1 to 32 bytes", 7),
            ("{scheme: idf_softap, secutiry: 1}", "secutiry", "unknown key 'secutiry' in provisioning", 7),
            ("{scheme: idf_softap, custom_endpoints: [prov-config]}", "custom_endpoints", "already an endpoint", 7),
            ("{scheme: idf_softap, custom_endpoints: [Bad/Name]}", "custom_endpoints", "names are 1 to 32", 7),
        ]
        for (yaml, key, text, line) in cases {
            let e = scenarioError(group(yaml))
            XCTAssertEqual(e?.key, key, yaml)
            XCTAssertEqual(e?.position.line, line, yaml)
            XCTAssertTrue(e?.message.contains(text) ?? false, yaml + ": " + (e?.description ?? "valid"))
        }
    }

    func testProvisionViaIDFSoftAPNeedsAGroupThatRunsIt() {
        let portalOnly = """
        name: t
        duration: 60s
        fleet:
          - {name: main, count: 2, provisioned: false}
        timeline:
          - provision: {via: idf_softap}
        """
        let s = try? parseScenario(portalOnly)
        XCTAssertTrue(RuntimeSupport.unsupported(s!).contains { $0.message.contains("no unprovisioned group runs the idf_softap scheme") })
        let pop = scenarioError("""
        name: t
        duration: 60s
        fleet:
          - {name: main, count: 2, provisioned: false}
        timeline:
          - provision: {pop: '1234'}
        """)
        XCTAssertEqual(pop?.key, "pop")
        XCTAssertTrue(pop?.message.contains("'via: idf_softap' only") ?? false)
    }

    func testGroupsGetTheirOwnProvisioningOnTheirAccessPoints() throws {
        let s = try parseScenario("""
        name: t
        duration: 60s
        fleet:
          - {name: portal, count: 2, provisioned: false}
          - {name: idf, count: 3, provisioned: false, id: "{chip}-{group}-{n}", provisioning: {preset: reference}}
        """)
        let c = try ScenarioFleet.configuration(s)
        let exposure = try XCTUnwrap(c.accessPoints)
        XCTAssertEqual(exposure.provisioning(forDevice: 1).scheme, .captivePortal)
        XCTAssertEqual(exposure.provisioning(forDevice: 2).scheme, .idfSoftAP)
        XCTAssertEqual(exposure.provisioning(forDevice: 4).softAP, .reference)
    }
}
