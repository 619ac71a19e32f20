import Foundation
import Glibc

/// A deliberately small HTTP/1.1 server for `GET /metrics` on a loopback address: one thread,
/// one request per connection, bounded request size and read time, so a slow or hostile client
/// can delay a scrape but never the run. (The runtime has no HTTP server stack to share.)
public final class MetricsServer: @unchecked Sendable {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case notLoopback(String)
        case socket(String)

        public var description: String {
            switch self {
            case .notLoopback(let host): return "metrics listen on loopback only (127.0.0.0/8), not " + host
            case .socket(let why): return "metrics server: " + why
            }
        }
    }

    /// The port actually bound (useful with port 0).
    public let port: Int
    private let listener: Int32
    private let wake: (read: Int32, write: Int32)
    private let body: @Sendable () -> [UInt8]
    private var thread: Thread?
    static let maxRequestBytes = 8192
    static let readTimeoutMs: Int32 = 2000

    /// Binds `host:port` (port 0 picks a free one) and serves `body()` at `/metrics` until `stop()`.
    public init(host: String = "127.0.0.1", port: Int, body: @escaping @Sendable () -> [UInt8]) throws(Failure) {
        var address = in_addr()
        guard inet_pton(AF_INET, host, &address) == 1, (UInt32(bigEndian: address.s_addr) >> 24) == 127 else {
            throw .notLoopback(host)
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .socket("socket(): " + String(cString: strerror(errno))) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = in_port_t(UInt16(port).bigEndian)
        sin.sin_addr = address
        let bound = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            let why = String(cString: strerror(errno))
            close(fd)
            throw .socket("cannot listen on " + host + ":" + String(port) + ": " + why)
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        var pipeFDs: [Int32] = [0, 0]
        guard pipe(&pipeFDs) == 0 else {
            close(fd)
            throw .socket("pipe(): " + String(cString: strerror(errno)))
        }
        self.listener = fd
        self.wake = (pipeFDs[0], pipeFDs[1])
        self.port = Int(UInt16(bigEndian: actual.sin_port))
        self.body = body
        let thread = Thread { [self] in serve() }
        thread.name = "simfleet-metrics"
        self.thread = thread
        thread.start()
    }

    /// Stops serving and closes the socket; returns once the server thread has left its loop.
    public func stop() {
        var byte: UInt8 = 1
        _ = write(wake.write, &byte, 1)
        while thread?.isFinished == false { usleep(1000) }
        thread = nil
        close(listener)
        close(wake.read)
        close(wake.write)
    }

    private func serve() {
        while true {
            var fds = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0), pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0)]
            guard poll(&fds, 2, -1) >= 0 || errno == EINTR else { return }
            if fds[1].revents != 0 { return }
            guard fds[0].revents & Int16(POLLIN) != 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            handle(client)
            close(client)
        }
    }

    private func handle(_ client: Int32) {
        guard let request = readRequestHead(client) else { return }
        let line = request.split(separator: "\r\n", maxSplits: 1).first.map(String.init) ?? ""
        let parts = line.split(separator: " ")
        let response: [UInt8]
        if parts.count != 3 || !parts[2].hasPrefix("HTTP/1.") {
            response = Self.response(400, "Bad Request", [UInt8]("bad request\n".utf8))
        } else if parts[0] != "GET" && parts[0] != "HEAD" {
            response = Self.response(405, "Method Not Allowed", [UInt8]("only GET\n".utf8), extra: "Allow: GET, HEAD\r\n")
        } else if parts[1] != "/metrics" && !parts[1].hasPrefix("/metrics?") {
            response = Self.response(404, "Not Found", [UInt8]("try /metrics\n".utf8))
        } else {
            let bytes = body()
            response = Self.response(200, "OK", parts[0] == "HEAD" ? [] : bytes,
                                     contentType: "text/plain; version=0.0.4; charset=utf-8", length: bytes.count)
        }
        response.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = send(client, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if n <= 0 { return }
                offset += n
            }
        }
    }

    /// Reads until the blank line ending the request head, within the size and time limits.
    private func readRequestHead(_ client: Int32) -> String? {
        var buffer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 2048)
        let deadline = Date().addingTimeInterval(Double(Self.readTimeoutMs) / 1000)
        while buffer.count < Self.maxRequestBytes {
            let remaining = Int32(max(0, deadline.timeIntervalSinceNow * 1000))
            var pfd = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
            guard remaining > 0, poll(&pfd, 1, remaining) > 0 else { return nil }
            let n = recv(client, &chunk, chunk.count, 0)
            guard n > 0 else { return nil }
            buffer += chunk[0..<n]
            if let text = String(bytes: buffer, encoding: .utf8), text.contains("\r\n\r\n") { return text }
        }
        return nil
    }

    static func response(_ status: Int, _ reason: String, _ body: [UInt8], contentType: String = "text/plain; charset=utf-8",
                         length: Int? = nil, extra: String = "") -> [UInt8] {
        let head = "HTTP/1.1 " + String(status) + " " + reason + "\r\nContent-Type: " + contentType + "\r\nContent-Length: "
            + String(length ?? body.count) + "\r\n" + extra + "Connection: close\r\n\r\n"
        return [UInt8](head.utf8) + body
    }
}
