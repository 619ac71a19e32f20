import DeviceCore
import XCTest
@testable import SimFleet

/// `provisioning.idf_softap` in the JSON report and in expectations.
final class SoftAPReportTests: XCTestCase {
    func testTallyIsWrittenAsDocumentedAndItsFiguresCanBeExpected() throws {
        var tally = SoftAPProvisioningTally()
        tally.provisioned = 3
        tally.handshakes = 4
        tally.failures = ["proof_mismatch": 1]
        tally.timeToProvisionedMs = [1200, 1100, 1500]
        var provisioning = ProvisioningTally()
        provisioning.idfSoftAP = tally
        let json = FleetReport.softAPJSON(tally).encoded()
        XCTAssertEqual(json.filter { !$0.isWhitespace }, #"{"provisioned":3,"handshakes":4,"failures":{"proof_mismatch":1},"#
                       + #""time_to_provisioned_ms":{"p50":1200,"p90":1500,"max":1500}}"#)

        let report = try ReportDocument(bytes: Array(("{\"provisioning\": {\"saved\": 0, \"idf_softap\": " + json + "}}").utf8))
        func check(_ text: String) throws -> ExpectationResult {
            ExpectationEvaluator(report: report).evaluate(try ExpressionParser.expectation(text, at: SourcePosition(file: "t", line: 1, column: 1)))
        }
        XCTAssertTrue(try check("provisioning.idf_softap.provisioned == 3").passed)
        XCTAssertTrue(try check("provisioning.idf_softap.failures.proof_mismatch == 1").passed)
        XCTAssertTrue(try check("provisioning.idf_softap.failures.auth_error == 0").passed, "a reason that never happened is 0")
        XCTAssertTrue(try check("provisioning.idf_softap.time_to_provisioned_ms.p90 < 2s").passed)
        XCTAssertFalse(try check("provisioning.idf_softap.time_to_provisioned_ms.max < 1s").passed)
    }
}
