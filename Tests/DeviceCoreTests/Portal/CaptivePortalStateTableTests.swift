import XCTest
@testable import DeviceCore

/// Every portal state against every kind of request, as one table.
final class CaptivePortalStateTableTests: XCTestCase {
    typealias F = PortalFixtures

    static let requests: [(String, HTTPRequest)] = [
        ("page", F.get("/")),
        ("scan", F.get("/scan")),
        ("valid save", F.postForm("ssid=home&password=12345678")),
        ("invalid save", F.postForm("ssid=&password=1")),
        ("probe", F.get("/generate_204", host: "connectivitycheck.gstatic.com")),
        ("foreign host", F.get("/", host: "example.com")),
        ("unknown path", F.get("/admin")),
    ]

    /// Expected status per state, in the order of `requests`.
    static let table: [(String, @Sendable (inout CaptivePortal) -> Void, [Int])] = [
        ("serving", { _ in }, [200, 200, 200, 400, 302, 302, 302]),
        ("saved, awaiting reboot", { p in _ = p.handle(F.postForm("ssid=home&password=12345678"), at: F.t0) },
         [200, 200, 409, 409, 302, 302, 200]),
        ("closed", { p in p.close() }, [410, 410, 410, 410, 410, 410, 410]),
    ]

    /// The refusal each error status comes with (a success or a redirect has none).
    static let refusals: [Int: CaptivePortal.Refusal] = [400: .invalidRequest(.missingSSID), 409: .alreadySaved, 410: .closed]

    func testEveryStateAnswersEveryRequestAsTheTableSays() {
        for (state, setUp, statuses) in Self.table {
            for (i, (name, request)) in Self.requests.enumerated() {
                var portal = F.portal()
                setUp(&portal)
                let before = portal.state
                let reply = portal.handle(request, at: F.t0 + .seconds(1))
                XCTAssertEqual(reply.response.status, statuses[i], state + " × " + name)
                XCTAssertEqual(reply.refusal, Self.refusals[statuses[i]], state + " × " + name)
                let savedNow = state == "serving" && name == "valid save"
                XCTAssertEqual(reply.saved != nil, savedNow, state + " × " + name)
                if !savedNow { XCTAssertEqual(portal.state, before, state + " × " + name + " changes nothing") }
            }
        }
    }

    func testSeededRandomRequestsNeverCrashNorEchoThePassword() {
        var rng = SeededRandom(seed: 7)
        let alphabet = Array("ab%+=&<>\"'/;:?#\u{00}\u{ff}".utf8) + [0xC3, 0x28, 0xE2, 0x82]
        func junk(_ n: Int) -> [UInt8] { (0..<n).map { _ in alphabet[Int(rng.next(upTo: UInt64(alphabet.count - 1)))] } }
        for _ in 0..<5_000 {
            var portal = F.portal()
            var body = Array("ssid=".utf8) + junk(Int(rng.next(upTo: 40))) + Array("&password=SECRETpw".utf8) + junk(Int(rng.next(upTo: 8)))
            if rng.next(upTo: 3) == 0 { body = junk(Int(rng.next(upTo: 1100))) }
            let json = rng.next(upTo: 1) == 0
            let request = HTTPRequest(method: .post, path: "/save",
                                      headers: [HTTPHeader("Content-Type", json ? "application/json" : "application/x-www-form-urlencoded")],
                                      body: body)
            let reply = portal.handle(request, at: F.t0)
            XCTAssertTrue([200, 400, 413].contains(reply.response.status))
            XCTAssertEqual(reply.refusal != nil, reply.response.status != 200, "every error is a typed refusal")
            if case .invalidRequest(let error)? = reply.refusal { XCTAssertEqual(error.status, reply.response.status) }
            XCTAssertFalse(String(decoding: reply.response.body, as: UTF8.self).contains("SECRETpw"))
            XCTAssertFalse((reply.log ?? "").contains("SECRETpw"))
        }
    }
}
