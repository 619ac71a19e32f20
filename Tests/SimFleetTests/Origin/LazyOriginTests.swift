import Foundation
import XCTest
@testable import SimFleet

/// The embedded firmware origin binds its port at start and starts SwiftNIO at the first
/// connection (`OriginListener`): a fleet that never downloads runs no event loop for it.
final class LazyOriginTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "simfleet-lazy-origin-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data("firmware bytes".utf8).write(to: URL(fileURLWithPath: directory + "/fw.bin"))
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    func testTheOriginServesFromTheFirstConnectionAndNotBefore() throws {
        let origin = try FirmwareOrigin(directory: directory)
        try origin.start()
        defer { origin.stop() }
        XCTAssertGreaterThan(origin.port, 0)
        XCTAssertFalse(origin.isServing, "an event loop before anyone connected")
        let first = try get(port: origin.port, path: "/fw.bin")
        XCTAssertTrue(first.hasPrefix("HTTP/1.1 200"), first)
        XCTAssertTrue(first.hasSuffix("firmware bytes"), first)
        XCTAssertTrue(origin.isServing)
        let second = try get(port: origin.port, path: "/missing.bin")
        XCTAssertTrue(second.hasPrefix("HTTP/1.1 404"), second)
    }

    func testAnOriginStoppedBeforeAnyConnectionReleasesItsPort() throws {
        let origin = try FirmwareOrigin(directory: directory)
        try origin.start()
        let port = origin.port
        origin.stop()
        XCTAssertFalse(origin.isServing)
        XCTAssertThrowsError(try get(port: port, path: "/fw.bin"), "the port still accepts connections")
        let again = try FirmwareOrigin(directory: directory)
        try again.start(port: port)
        defer { again.stop() }
        XCTAssertTrue(try get(port: port, path: "/fw.bin").hasSuffix("firmware bytes"))
    }

    func testAHeartbeatFleetRunsNoEventLoopForTheOrigin() throws {
        let process = try Simfleet.startSmallFleet()
        defer { if process.isRunning { process.terminate() } }
        // Sample the threads 2 s into the run (devices online, heartbeats flowing).
        var threads: [String] = []
        let started = Date()
        while process.isRunning && Date().timeIntervalSince(started) < 2 { Thread.sleep(forTimeInterval: 0.1) }
        let tasks = "/proc/\(process.processIdentifier)/task"
        threads = ((try? FileManager.default.contentsOfDirectory(atPath: tasks)) ?? []).compactMap {
            // /proc files report size 0: read them to the end rather than by their size.
            FileHandle(forReadingAtPath: tasks + "/" + $0 + "/comm").map { String(decoding: $0.readDataToEndOfFile(), as: UTF8.self) }
        }
        XCTAssertGreaterThan(threads.count, 2, "simfleet ended before its threads could be read")
        XCTAssertFalse(threads.contains { $0.hasPrefix("NIO-ELT") }, "an event loop runs: \(threads)")
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
    }

    /// One HTTP/1.1 GET over a plain socket; the whole answer (the origin closes after it).
    private func get(port: Int, path: String) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port)).bigEndian
        address.sin_addr.s_addr = in_addr_t(0x7f00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            answer += buffer[0..<n]
        }
        return String(decoding: answer, as: UTF8.self)
    }
}
