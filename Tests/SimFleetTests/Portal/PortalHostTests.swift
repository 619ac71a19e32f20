import DeviceCore
import Foundation
import NIOCore
import NIOPosix
import XCTest
@testable import SimFleet

/// The captive portal reached by real clients over real loopback sockets.
final class PortalHostTests: XCTestCase {
    static let networks = [
        ScannedNetwork(ssid: "home", bssid: [2, 0, 0, 0, 0, 1], rssi: -52, channel: 6, auth: .wpa2PSK),
        ScannedNetwork(ssid: "<script>alert(1)</script>", bssid: [2, 0, 0, 0, 0, 2], rssi: -71, channel: 1, auth: .wpa2PSK),
        ScannedNetwork(ssid: "cafe", bssid: [2, 0, 0, 0, 0, 3], rssi: -83, channel: 11, auth: .open),
    ]
    var group: MultiThreadedEventLoopGroup!

    override func setUp() { group = MultiThreadedEventLoopGroup(numberOfThreads: 1) }
    override func tearDown() { try? group.syncShutdownGracefully() }

    /// Runs `body` against a portal served on `address`, then stops the host.
    func withPortal(_ address: IPv4Address, maxBodyBytes: Int = 1024,
                    _ body: (ServedPortal) async throws -> Void) async throws {
        let served = try await ServedPortal.start(address: address, networks: Self.networks, group: group, maxBodyBytes: maxBodyBytes)
        do { try await body(served) } catch { await served.host.stop(); throw error }
        await served.host.stop()
    }

    func curl(_ args: [String]) throws -> ExternalTool.Result {
        try ExternalTool.run("/usr/bin/curl", ["-sS", "--max-time", "10", "--noproxy", "*"] + args)
    }

    func testCurlSeesThePageAndProvisionsOverRealHTTP() async throws {
        try await withPortal(IPv4Address(127, 20, 0, 11)) { served in
            let page = try curl(["-w", "\n%{http_code}", served.baseURL + "/"])
            XCTAssertTrue(page.stdout.hasSuffix("\n200"), page.stdout + page.stderr)
            XCTAssertTrue(page.stdout.contains("esp32c6-5e1f00"))
            XCTAssertTrue(page.stdout.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))

            let scan = try JSONReader().parse(try curl([served.baseURL + "/scan"]).stdout)
            XCTAssertEqual(scan["networks"].flatMap { if case .array(let a) = $0 { a.count } else { nil } }, 3)

            let saved = try curl(["-w", "\n%{http_code}", "--data-urlencode", "ssid=home", "--data-urlencode", "password=p@ss word&1",
                                  served.baseURL + "/save"])
            XCTAssertTrue(saved.stdout.hasSuffix("\n200"), saved.stdout)
            XCTAssertTrue(saved.stdout.contains("join <strong>home</strong>"))
            XCTAssertFalse(saved.stdout.contains("p@ss"))
            guard case .savedAwaitingReboot(let ssid, _)? = served.state else { return XCTFail("not saved: " + String(describing: served.state)) }
            XCTAssertEqual(ssid, "home")
            XCTAssertEqual(served.receivedRequests.last?.body, Array("ssid=home&password=p%40ss+word%261".utf8))
            XCTAssertEqual(served.savedCredentials, try WiFiCredentials(validatingSSID: "home", password: "p@ss word&1"))
        }
    }

    func testJSONSaveAndValidationErrorOverRealHTTP() async throws {
        try await withPortal(IPv4Address(127, 20, 0, 12)) { served in
            let bad = try curl(["-w", "\n%{http_code}", "-H", "Content-Type: application/json", "--data", #"{"ssid":"home","password":"short"}"#,
                                served.baseURL + "/save"])
            XCTAssertTrue(bad.stdout.hasSuffix("\n400"), bad.stdout)
            XCTAssertTrue(bad.stdout.contains("password_too_short"))
            let good = try curl(["-w", "\n%{http_code}", "-H", "Content-Type: application/json", "--data", #"{"ssid":"cafe","password":""}"#,
                                 served.baseURL + "/save"])
            XCTAssertTrue(good.stdout.hasSuffix("\n200"), good.stdout)
        }
    }

    func testHeadHasNoBodyAndKeepAliveServesSeveralRequestsOnOneConnection() async throws {
        try await withPortal(IPv4Address(127, 20, 0, 17)) { served in
            let head = try curl(["-I", served.baseURL + "/"])
            XCTAssertTrue(head.stdout.hasPrefix("HTTP/1.1 200"), head.stdout)
            XCTAssertTrue(head.stdout.lowercased().contains("content-length: "))
            let two = try curl(["-o", "/dev/null", "-o", "/dev/null", "-w", "%{http_code}:%{num_connects} ",
                                served.baseURL + "/", served.baseURL + "/scan?fresh=1"])
            XCTAssertEqual(two.stdout, "200:1 200:0 ", "the second request reused the connection")
            XCTAssertEqual(served.receivedRequests.last?.path, "/scan")
            XCTAssertEqual(served.receivedRequests.last?.query, "fresh=1")
        }
    }

    func testProbeURLsAndForeignHostsRedirectToThePortal() async throws {
        try await withPortal(IPv4Address(127, 20, 0, 13)) { served in
            for (host, path) in [("connectivitycheck.gstatic.com", "/generate_204"), ("captive.apple.com", "/hotspot-detect.html"),
                                 ("www.msftconnecttest.com", "/connecttest.txt"), ("example.com", "/anything")] {
                let r = try curl(["-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", "-H", "Host: " + host, served.baseURL + path])
                XCTAssertEqual(r.stdout, "302 " + served.baseURL + "/", host + path)
            }
        }
    }

    func testOversizedBodyGets413AndTheHostKeepsServing() async throws {
        try await withPortal(IPv4Address(127, 20, 0, 14), maxBodyBytes: 256) { served in
            let big = Data(repeating: UInt8(ascii: "a"), count: 200_000)
            let r = try ExternalTool.run("/usr/bin/curl", ["-sS", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_code}",
                                                           "-H", "Content-Type: application/x-www-form-urlencoded",
                                                           "--data-binary", "@-", served.baseURL + "/save"], stdin: big)
            XCTAssertEqual(r.stdout, "413", r.stderr)
            let request = try XCTUnwrap(served.receivedRequests.last)
            XCTAssertEqual(request.body.count, 257, "host reads at most limit + 1 bytes")
            XCTAssertEqual(request.declaredLength, 200_000)
            XCTAssertEqual(try curl(["-o", "/dev/null", "-w", "%{http_code}", served.baseURL + "/"]).stdout, "200")
        }
    }

    func testDigGetsTheAPAddressForAnyNameAndNoAddressForAAAA() async throws {
        try await withPortal(IPv4Address(127, 20, 0, 15)) { served in
            let port = String(served.host.dnsPort)
            let a = try ExternalTool.run("/usr/bin/dig", ["@127.20.0.15", "-p", port, "+time=3", "+tries=1", "anything.example", "A"])
            XCTAssertTrue(a.stdout.contains("status: NOERROR"), a.stdout)
            XCTAssertTrue(a.stdout.contains("flags: qr aa rd;"), a.stdout)
            XCTAssertTrue(a.stdout.range(of: #"anything\.example\.\s+30\s+IN\s+A\s+127\.20\.0\.15"#, options: .regularExpression) != nil, a.stdout)
            let short = try ExternalTool.run("/usr/bin/dig", ["@127.20.0.15", "-p", port, "+time=3", "+tries=1", "+short", "captive.apple.com"])
            XCTAssertEqual(short.stdout, "127.20.0.15\n")
            let aaaa = try ExternalTool.run("/usr/bin/dig", ["@127.20.0.15", "-p", port, "+time=3", "+tries=1", "anything.example", "AAAA"])
            XCTAssertTrue(aaaa.stdout.contains("status: NOERROR"), aaaa.stdout)
            XCTAssertTrue(aaaa.stdout.contains("ANSWER: 0"), aaaa.stdout)
        }
    }

    func testMalformedDatagramsGetFormErrOrNothingAndDNSKeepsWorking() async throws {
        try await withPortal(IPv4Address(127, 20, 0, 16)) { served in
            let replies = try await UDPProbe.exchange(group: group, to: "127.20.0.16", port: served.host.dnsPort, datagrams: [
                [0x01, 0x02, 0x03],                                                                     // truncated header
                [0xAB, 0xCD, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0x01, 0x61, 0xC0, 0x0C, 0, 1, 0, 1], // pointer loop
                [0xAB, 0xCE, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0x3F, 0x61],                         // label overrun
                [UInt8](repeating: 0xFF, count: 1400),                                                  // oversized
            ])
            XCTAssertEqual(replies.count, 2, "two FORMERRs, two drops")
            XCTAssertTrue(replies.contains([0xAB, 0xCD, 0x85, 0x01, 0, 0, 0, 0, 0, 0, 0, 0]))
            XCTAssertTrue(replies.contains([0xAB, 0xCE, 0x85, 0x01, 0, 0, 0, 0, 0, 0, 0, 0]))
            let after = try ExternalTool.run("/usr/bin/dig", ["@127.20.0.16", "-p", String(served.host.dnsPort), "+time=3", "+tries=1",
                                                              "+short", "still.alive"])
            XCTAssertEqual(after.stdout, "127.20.0.16\n")
        }
    }
}
