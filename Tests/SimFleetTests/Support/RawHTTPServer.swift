import Foundation
import Glibc
import NIOConcurrencyHelpers

/// A tiny blocking HTTP server of the test's own on a real loopback socket, for byte-level
/// misbehaviour (`ScriptedHTTPServer` is the NIO one that counts requests): it accepts connections
/// on one thread, reads each request head and hands the connection to `respond` on a thread of its
/// own, which writes whatever the test wants (a trickle, a redirect, nothing at all).
final class RawHTTPServer: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let state = NIOLockedValueBox((accepted: 0, stopped: false, clients: [Int32]()))
    private let respond: @Sendable (_ client: Int32, _ head: String, _ server: RawHTTPServer) -> Void

    /// Connections accepted so far.
    var accepted: Int { state.withLockedValue { $0.accepted } }
    var isStopped: Bool { state.withLockedValue { $0.stopped } }

    init(respond: @escaping @Sendable (_ client: Int32, _ head: String, _ server: RawHTTPServer) -> Void) throws {
        self.respond = respond
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        guard bound == 0, listen(fd, 64) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        listener = fd
        port = Int(UInt16(bigEndian: addr.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    deinit { stop() }

    /// Stops accepting and closes every connection (a responder's next write fails).
    func stop() {
        let clients: [Int32]? = state.withLockedValue { s in
            if s.stopped { return nil }
            s.stopped = true
            return s.clients
        }
        guard let clients else { return }  // once: a second close could hit a descriptor reused since
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for c in clients { shutdown(c, Int32(SHUT_RDWR)) }
    }

    private func acceptLoop() {
        while !isStopped {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { if isStopped { return } else { continue } }
            state.withLockedValue { $0.accepted += 1; $0.clients.append(client) }
            let thread = Thread { [self] in
                let head = RawHTTPServer.readHead(client)
                respond(client, head, self)
                state.withLockedValue { s in
                    s.clients.removeAll { $0 == client }
                    close(client)
                }
            }
            thread.start()
        }
    }

    /// Writes `text`; false once the peer is gone or the server stopped.
    @discardableResult
    static func write(_ client: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
    }

    private static func readHead(_ client: Int32) -> String {
        var head: [UInt8] = []
        var byte: UInt8 = 0
        while head.count < 16_384, recv(client, &byte, 1, 0) == 1 {
            head.append(byte)
            if head.suffix(4).elementsEqual([13, 10, 13, 10]) { break }
        }
        return String(decoding: head, as: UTF8.self)
    }
}
