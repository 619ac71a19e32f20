import Foundation
import Glibc
import XCTest
@testable import SimFleet

/// The embedded broker's first start: a port chosen free can be taken by someone else before
/// mosquitto binds it (another client's ephemeral port); the broker then starts on new ports.
final class EmbeddedBrokerStartTests: XCTestCase {
    override class func setUp() {
        _ = somebodyElseHas1883
    }

    func testAPortTakenBeforeTheFirstStartIsReplacedAndTheBrokerStarts() throws {
        let broker = try EmbeddedBroker()
        let taken = broker.ports[0]
        let squatter = try Self.bind(to: taken)
        defer { close(squatter) }
        try broker.start()
        defer { broker.stop() }
        XCTAssertNotEqual(broker.ports[0], taken, "moved to a free port")
        XCTAssertTrue(broker.isRunning)
        XCTAssertTrue(EmbeddedBroker.accepts(port: broker.ports[0]))
    }

    /// A socket bound to 127.0.0.1:`port` and not listening, as an outgoing connection's local
    /// end would be: nobody answers there, and nobody else can bind it.
    static func bind(to port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        return fd
    }

    func testTwoBrokersRunSideBySideAndNeitherListensOnTheDefaultPort() throws {
        let a = try EmbeddedBroker(passwords: [("device-a", "a")])
        try a.start()
        defer { a.stop() }
        let b = try EmbeddedBroker(passwords: [("device-b", "b")])
        try b.start()
        defer { b.stop() }
        XCTAssertTrue(a.isRunning && b.isRunning)
        let listening = try String(contentsOfFile: "/proc/net/tcp", encoding: .utf8).split(separator: "\n")
            .filter { $0.contains(" 0A ") }  // state LISTEN
            .compactMap { $0.split(separator: " ").dropFirst().first?.split(separator: ":").last }
            .compactMap { Int($0, radix: 16) }
        XCTAssertTrue(listening.contains(a.ports[0]) && listening.contains(b.ports[0]))
        if !EmbeddedBrokerStartTests.somebodyElseHas1883 {
            XCTAssertFalse(listening.contains(1883), "no broker of simfleet's opened mosquitto's default listener")
        }
    }

    /// Whether port 1883 was taken before this test class ran (a machine's own mosquitto).
    static let somebodyElseHas1883 = EmbeddedBroker.accepts(port: 1883)
}
