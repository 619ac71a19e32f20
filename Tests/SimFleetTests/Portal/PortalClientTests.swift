import DeviceCore
import Foundation
import Glibc
import NIOCore
import NIOPosix
import XCTest
@testable import SimFleet

/// The phone the `provision` step plays, against a real portal and against servers that misbehave:
/// libcurl for its HTTP, DeviceCore's DNS codec for its connectivity check.
final class PortalClientTests: XCTestCase {
    var group: MultiThreadedEventLoopGroup!

    override func setUp() { group = MultiThreadedEventLoopGroup(numberOfThreads: 1) }
    override func tearDown() { try? group.syncShutdownGracefully() }

    /// A portal host on `address` that answers every request with `reply(request)` and every DNS
    /// query with `dns(query)` (nil: no answer).
    func host(_ address: IPv4Address, reply: @escaping @Sendable (HTTPRequest) -> HTTPResponse,
              dns: @escaping @Sendable ([UInt8]) -> [UInt8]? = { _ in nil }) async throws -> PortalHost {
        try await PortalHost.start(PortalHost.Configuration(address: address, httpPort: 0, dnsPort: 0), group: group,
                                   onRequest: { request, respond in respond(reply(request)) },
                                   onQuery: { datagram, answer in answer(dns(datagram)) })
    }

    func testThePhoneSeesTheDNSHijackAndSavesTheCredentialsThroughThePortal() async throws {
        let served = try await ServedPortal.start(address: IPv4Address(127, 20, 16, 1), networks: PortalHostTests.networks, group: group)
        let phone = PortalClient(address: "127.20.16.1", port: served.host.httpPort)
        XCTAssertEqual(phone.resolve("connectivitycheck.gstatic.com", dnsPort: served.host.dnsPort), "127.20.16.1")
        XCTAssertNil(phone.resolve("bad..name", dnsPort: served.host.dnsPort), "a name the codec cannot build is not sent")
        let page = phone.request("GET", "/")
        XCTAssertEqual(try page.get().status, 200)
        XCTAssertTrue(try page.get().body.contains("esp32c6-5e1f00"))
        XCTAssertEqual(try phone.save(ssid: "home", password: "p@ss word&1").get().status, 200)
        XCTAssertEqual(served.savedCredentials, try WiFiCredentials(validatingSSID: "home", password: "p@ss word&1"))
        let save = try XCTUnwrap(served.receivedRequests.last)
        XCTAssertEqual(save.method, .post)
        XCTAssertEqual(save.header("Content-Type"), "application/x-www-form-urlencoded")
        XCTAssertEqual(save.declaredLength, save.body.count)
        await served.host.stop()
    }

    func testAnAnswerOverTheBodyLimitIsRefusedWithItsTypedErrorAndOneAtTheLimitIsRead() async throws {
        let portal = try await host(IPv4Address(127, 20, 16, 2)) { request in
            HTTPResponse(status: 200, body: [UInt8](repeating: 0x61, count: request.path == "/big" ? (1 << 20) + 1 : 1000))
        }
        let phone = PortalClient(address: "127.20.16.2", port: portal.httpPort)
        XCTAssertEqual(phone.request("GET", "/big").failure, .responseTooLarge(limit: 1 << 20), "the default limit is 1 MiB")
        XCTAssertEqual(phone.request("GET", "/big").failure?.description, "response body over 1048576 bytes")
        var strict = phone
        strict.maxResponseBytes = 1000
        XCTAssertEqual(try strict.request("GET", "/fits").get().body.count, 1000)
        strict.maxResponseBytes = 999
        XCTAssertEqual(strict.request("GET", "/fits").failure, .responseTooLarge(limit: 999))
        await portal.stop()
    }

    func testAnUnannouncedAnswerIsCutOffAtTheLimitAndRefused() throws {
        let server = try RawServer(address: "127.20.16.3", answer: Array("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".utf8)
                                   + [UInt8](repeating: 0x62, count: 5000))
        defer { server.close() }
        var phone = PortalClient(address: "127.20.16.3", port: server.port)
        phone.maxResponseBytes = 1000
        XCTAssertEqual(phone.request("GET", "/").failure, .responseTooLarge(limit: 1000))
    }

    func testAServerThatDoesNotSpeakHTTPIsAMalformedResponse() throws {
        let server = try RawServer(address: "127.20.16.4", answer: Array("SSH-2.0-OpenSSH_9.2\r\n\r\n".utf8))
        defer { server.close() }
        let answer = PortalClient(address: "127.20.16.4", port: server.port).request("GET", "/")
        XCTAssertEqual(answer.failure, .malformedResponse)
        XCTAssertEqual(answer.failure?.description, "malformed HTTP response")
    }

    func testNothingListeningIsAConnectFailureAndASilentServerTimesOut() throws {
        let refused = PortalClient(address: "127.20.16.5", port: 8080).request("GET", "/version")
        XCTAssertEqual(refused.failure, .connect(errno: ECONNREFUSED))
        XCTAssertEqual(refused.failure?.description, "connect: Connection refused")
        XCTAssertEqual(PortalClient(address: "portal.local", port: 8080).request("GET", "/").failure, .connect(errno: EINVAL),
                       "an address, never a name to look up")

        let server = try RawServer(address: "127.20.16.6", answer: nil)   // accepted by the kernel, never answered
        defer { server.close() }
        var phone = PortalClient(address: "127.20.16.6", port: server.port)
        phone.timeoutSeconds = 0.5
        let start = Date()
        XCTAssertEqual(phone.request("GET", "/").failure, .io(errno: ETIMEDOUT))
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(start), 0.45)
        XCTAssertLessThan(Date().timeIntervalSince(start), 2.5, "the timeout, not the 3 s default")
    }

    func testDNSWithoutAUsableAnswerIsNilWithinTheTimeout() async throws {
        let silent = try await host(IPv4Address(127, 20, 16, 7), reply: { _ in .text(200, "") })
        var phone = PortalClient(address: "127.20.16.7", port: silent.httpPort)
        phone.timeoutSeconds = 0.5
        let start = Date()
        XCTAssertNil(phone.resolve("connectivitycheck.gstatic.com", dnsPort: silent.dnsPort))
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(start), 0.45)
        XCTAssertLessThan(Date().timeIntervalSince(start), 2.5)
        await silent.stop()

        let echo = try await host(IPv4Address(127, 20, 16, 8), reply: { _ in .text(200, "") }, dns: { $0 })
        XCTAssertNil(PortalClient(address: "127.20.16.8", port: echo.httpPort).resolve("x.example", dnsPort: echo.dnsPort),
                     "a query sent back is not a response")
        let otherID = try await host(IPv4Address(127, 20, 16, 9), reply: { _ in .text(200, "") }, dns: { query in
            var reply = DNSResponder(address: IPv4Address(127, 20, 16, 9)).respond(to: query)
            reply?[0] ^= 0xFF
            return reply
        })
        XCTAssertNil(PortalClient(address: "127.20.16.9", port: otherID.httpPort).resolve("x.example", dnsPort: otherID.dnsPort),
                     "an answer to another query is not taken")
        await echo.stop()
        await otherID.stop()
    }
}

private extension Result {
    var failure: Failure? {
        if case .failure(let f) = self { return f }
        return nil
    }
}

/// A TCP listener on a loopback address that writes `answer` to its first connection and closes
/// it (nil: never accepts, so connections sit answered by no one in the backlog).
private final class RawServer: @unchecked Sendable {
    let fd: Int32
    let port: Int

    init(address: String, answer: [UInt8]?) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, address, &sin.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && listen(fd, 4) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { Glibc.close(fd); throw POSIXError(.EADDRINUSE) }
        port = Int(UInt16(bigEndian: sin.sin_port))
        guard let answer else { return }
        Thread.detachNewThread {
            let client = accept(fd, nil, nil)
            guard client >= 0 else { return }
            var request = [UInt8](repeating: 0, count: 4096)
            _ = request.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            _ = answer.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            // End the answer, then read until the client hangs up: closing with unread bytes would reset it.
            shutdown(client, Int32(SHUT_WR))
            var tv = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            while request.withUnsafeMutableBytes({ recv(client, $0.baseAddress, $0.count, 0) }) > 0 {}
            Glibc.close(client)
        }
    }

    func close() { shutdown(fd, Int32(SHUT_RDWR)); Glibc.close(fd) }
}
