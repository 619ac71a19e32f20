import DeviceCore
import Foundation
import Glibc
import XCTest
@testable import SimFleet

/// The embedded firmware origin under many concurrent, slow readers (real sockets that read little):
/// what it buffers per connection stays bounded, whatever the file size, and every reader still
/// gets the exact bytes once it reads.
final class OriginBackPressureTests: XCTestCase {
    /// A raw HTTP client with a small receive buffer that sends one GET and reads only when told.
    final class SlowReader {
        let fd: Int32
        init(port: Int, path: String, range: String? = nil) throws {
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var small: Int32 = 4096
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            addr.sin_port = UInt16(port).bigEndian
            let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            guard rc == 0 else { throw POSIXError(.ECONNREFUSED) }
            var head = "GET /" + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            if let range { head += "Range: " + range + "\r\n" }
            head += "\r\n"
            _ = Array(head.utf8).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        }

        deinit { close(fd) }

        /// Reads until the peer closes; returns the body (after the head).
        func readAll() -> [UInt8] {
            var large: Int32 = 1 << 20
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &large, socklen_t(MemoryLayout<Int32>.size))
            var all: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n <= 0 { break }
                all.append(contentsOf: buffer[0..<n])
            }
            guard let end = all.firstRange(of: [13, 10, 13, 10]) else { return [] }
            return Array(all[end.upperBound...])
        }
    }

    func testManyConcurrentSlowReadersKeepWhatTheOriginBuffersBounded() throws {
        let directory = NSTemporaryDirectory() + "simfleet-backpressure-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var rng = SeededRandom(seed: 9)
        let file = (0..<(4 << 20)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        try Data(file).write(to: URL(fileURLWithPath: directory + "/fw.bin"))
        let origin = try FirmwareOrigin(directory: directory)
        try origin.start()
        defer { origin.stop() }

        let readers = 24
        var clients: [SlowReader] = []
        for i in 0..<readers { clients.append(try SlowReader(port: origin.port, path: "fw.bin", range: i % 3 == 0 ? "bytes=1000-" : nil)) }
        awaitCondition("every request answered", timeout: 20) { origin.stats.requests == readers }
        // Give the origin every chance to pile the rest of each 4 MB body into memory.
        sleep(2)
        let peak = origin.stats.peakQueuedBytes
        print("origin back-pressure: peak \(peak) bytes queued for \(readers) slow readers of a \(file.count)-byte file")
        // NIO's high water mark is 64 KB per connection; one chunk may be in flight above it.
        XCTAssertLessThan(peak, readers * 256 * 1024,
                          "\(peak) bytes queued for \(readers) readers of a 4 MB file: each connection is held to its writability")
        // Now the readers read: each gets its exact bytes.
        let bodies = clients.map { $0.readAll() }
        for (i, body) in bodies.enumerated() {
            XCTAssertEqual(body.count, i % 3 == 0 ? file.count - 1000 : file.count, "reader \(i)")
            XCTAssertTrue(body.elementsEqual(i % 3 == 0 ? file[1000...] : file[...]), "reader \(i) got the file's bytes")
        }
        awaitCondition("nothing queued once everyone has read", timeout: 5) { origin.stats.queuedBytes == 0 }
        XCTAssertEqual(origin.stats.bytesServed, (readers / 3) * (file.count - 1000) + (readers - readers / 3) * file.count)
    }
}
