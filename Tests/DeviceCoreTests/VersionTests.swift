import XCTest
@testable import DeviceCore

final class VersionTests: XCTestCase {
    func testReferenceVersionsCompareWithOrWithoutLeadingV() throws {
        let a = try XCTUnwrap(FirmwareVersion("v2025.03.25.155052"))
        let b = try XCTUnwrap(FirmwareVersion("2025.03.25.155052"))
        XCTAssertEqual(a, b)
        XCTAssertLessThan(try XCTUnwrap(FirmwareVersion("2025.03.23.184616")), a)
        XCTAssertLessThan(try XCTUnwrap(FirmwareVersion("2025.03.25.124759")), a)
        XCTAssertLessThan(try XCTUnwrap(FirmwareVersion("2025.3.25.9")), try XCTUnwrap(FirmwareVersion("2025.03.25.10")), "numeric, not text")
    }

    func testSemanticVersionsIncludingPreReleases() throws {
        let ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11",
                       "1.0.0-rc.1", "1.0.0", "1.0.1", "1.2", "1.10.0", "2.0.0"]
        let versions = try ordered.map { try XCTUnwrap(FirmwareVersion($0), $0) }
        for i in 0..<versions.count - 1 { XCTAssertLessThan(versions[i], versions[i + 1], ordered[i] + " < " + ordered[i + 1]) }
        XCTAssertEqual(FirmwareVersion("1.2"), FirmwareVersion("1.2.0"))
        XCTAssertEqual(FirmwareVersion("1.2.0+build.5"), FirmwareVersion("1.2.0"))
        XCTAssertNil(FirmwareVersion("e097db2-dirty"))
        XCTAssertNil(FirmwareVersion(""))
        XCTAssertNil(FirmwareVersion("1..2"))
        XCTAssertNil(FirmwareVersion("1.2-"))
        XCTAssertNil(FirmwareVersion("99999999999999999999.1"), "component overflow is not a version")
    }

    func testUpdateDecision() {
        XCTAssertEqual(UpdateDecision.decide(offered: "v2025.03.25.155052", running: "2025.03.25.155052", force: false),
                       .notNewer(offered: "v2025.03.25.155052", running: "2025.03.25.155052"))
        XCTAssertEqual(UpdateDecision.decide(offered: "v2025.03.25.155052", running: "2025.03.25.155052", force: true), .install)
        XCTAssertEqual(UpdateDecision.decide(offered: "1.0.1", running: "1.0.1-rc.1", force: false), .install)
        XCTAssertEqual(UpdateDecision.decide(offered: nil, running: "1.0.0", force: false), .unknownVersion)
        XCTAssertEqual(UpdateDecision.decide(offered: "cc3ca8c", running: "e097db2-dirty", force: false), .install)
        XCTAssertEqual(UpdateDecision.decide(offered: "ve097db2", running: "e097db2", force: false),
                       .notNewer(offered: "ve097db2", running: "e097db2"))
    }

    func testManifestCheckTurnsANewerReleaseIntoARequest() {
        XCTAssertEqual(ManifestCheck.request(version: "v2025.03.25.155052", firmwareURL: "http://127.0.0.1/fw.bin", running: "2025.03.23.184616"),
                       .success(OTARequest(url: "http://127.0.0.1/fw.bin", version: "v2025.03.25.155052", origin: .manifest)))
        XCTAssertEqual(ManifestCheck.request(version: "v2025.03.25.155052", firmwareURL: "http://h/f", running: "2025.03.25.155052"),
                       .failure(.upToDate(running: "2025.03.25.155052", offered: "v2025.03.25.155052")))
        XCTAssertEqual(ManifestCheck.request(version: "9", firmwareURL: "", running: "1"), .failure(.noFirmwareURL))
    }
}
