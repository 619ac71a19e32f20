import Foundation
import NIOCore
import NIOPosix

/// A small HTTP/1.1 backend written for tests, on real loopback sockets (SwiftNIO, bytes on the
/// wire written by hand): each request is answered as `script` says, one request per connection
/// (`Connection: close`), and every request is counted by path and by the status it was answered
/// with. Besides proper answers it can misbehave as a hostile backend would: garbage, endless
/// bodies, trickles and silence.
final class ScriptedHTTPServer: @unchecked Sendable {
    struct Request: Sendable {
        var method: String
        var path: String
        var headers: [String: String]
        var body: [UInt8]
        /// 1-based arrival order over the server's life.
        var number: Int
    }

    enum Answer: Sendable {
        /// A complete response.
        case respond(status: Int, body: [UInt8], headers: [(String, String)] = [])
        /// Bytes that are not HTTP, then the connection closes.
        case garbage([UInt8])
        /// `200` with a `Content-Length` of `announced` (or chunked when nil) and then bytes for ever,
        /// until the client goes away.
        case endless(announced: Int64?)
        /// Headers, then one body byte every `interval`, for ever.
        case trickle(interval: TimeAmount)
        /// Read the request and never answer.
        case silence
    }

    typealias Script = @Sendable (Request) -> (answer: Answer, delay: TimeAmount)

    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private var channel: Channel!
    private let lock = NSLock()
    private var arrivals = 0
    private var byPath: [String: Int] = [:]
    private var statusByPath: [String: [Int: Int]] = [:]
    private var recorded: [Request] = []
    let script: Script

    var port: Int { channel.localAddress!.port! }
    func url(_ path: String) -> String { "http://127.0.0.1:\(port)" + path }

    init(script: @escaping Script) throws {
        self.script = script
        channel = try ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { ch in ch.pipeline.addHandler(Connection(server: self)) }
            .bind(host: "127.0.0.1", port: 0).wait()
    }

    func stop() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }

    /// Requests that arrived for `path` (query ignored).
    func requests(_ path: String) -> Int { lock.withLock { byPath[path] ?? 0 } }
    /// Statuses `path` was answered with (answers that were not a status line are not counted).
    func statuses(_ path: String) -> [Int: Int] { lock.withLock { statusByPath[path] ?? [:] } }
    var all: [Request] { lock.withLock { recorded } }

    fileprivate func arrived(_ method: String, _ target: String, _ headers: [String: String], _ body: [UInt8]) -> Request {
        let path = String(target.split(separator: "?", maxSplits: 1).first ?? "")
        return lock.withLock {
            arrivals += 1
            byPath[path, default: 0] += 1
            let r = Request(method: method, path: path, headers: headers, body: body, number: arrivals)
            recorded.append(r)
            return r
        }
    }

    fileprivate func answered(_ path: String, _ status: Int) {
        lock.withLock { statusByPath[path, default: [:]][status, default: 0] += 1 }
    }

    /// Reads one request (head and `Content-Length` body), then answers it as scripted.
    final class Connection: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let server: ScriptedHTTPServer
        var buffer: [UInt8] = []
        var handled = false

        init(server: ScriptedHTTPServer) { self.server = server }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var b = unwrapInboundIn(data)
            buffer += b.readBytes(length: b.readableBytes) ?? []
            if !handled, buffer.first == 0x16 {  // a TLS ClientHello: this server speaks plain HTTP only
                handled = true
                _ = server.arrived("TLS", "(tls)", [:], [])
                return write(Array("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n".utf8), context)
                    .whenComplete { _ in context.close(promise: nil) }
            }
            guard !handled, let end = headEnd() else { return }
            let head = String(decoding: buffer[..<end], as: UTF8.self).components(separatedBy: "\r\n")
            var headers: [String: String] = [:]
            for line in head.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            let length = Int(headers["content-length"] ?? "0") ?? 0
            guard buffer.count >= end + 4 + length else { return }
            handled = true
            let parts = head[0].split(separator: " ")
            guard parts.count >= 2 else { return context.close(promise: nil) }
            let request = server.arrived(String(parts[0]), String(parts[1]), headers, Array(buffer[(end + 4)..<(end + 4 + length)]))
            let (answer, delay) = server.script(request)
            let loop = context.eventLoop
            loop.scheduleTask(in: delay) { self.answer(answer, request, context) }
        }

        private func headEnd() -> Int? {
            guard buffer.count >= 4 else { return nil }
            for i in 0...(buffer.count - 4) where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
                return i
            }
            return nil
        }

        private func write(_ bytes: [UInt8], _ context: ChannelHandlerContext) -> EventLoopFuture<Void> {
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)))
        }

        private func answer(_ answer: Answer, _ request: Request, _ context: ChannelHandlerContext) {
            guard context.channel.isActive else { return }
            switch answer {
            case let .respond(status, body, headers):
                server.answered(request.path, status)
                var head = "HTTP/1.1 \(status) \(ScriptedHTTPServer.reason(status))\r\nContent-Length: \(body.count)\r\nConnection: close\r\n"
                for (name, value) in headers { head += name + ": " + value + "\r\n" }
                let bytes = Array((head + "\r\n").utf8) + (request.method == "HEAD" ? [] : body)
                write(bytes, context).whenComplete { _ in context.close(promise: nil) }
            case .garbage(let bytes):
                write(bytes, context).whenComplete { _ in context.close(promise: nil) }
            case .endless(let announced):
                server.answered(request.path, 200)
                let length = announced.map { "Content-Length: \($0)\r\n" } ?? "Transfer-Encoding: chunked\r\n"
                _ = write(Array(("HTTP/1.1 200 OK\r\n" + length + "Connection: close\r\n\r\n").utf8), context)
                let chunk = [UInt8](repeating: 0x5A, count: 16 * 1024)
                let framed = announced == nil ? Array("4000\r\n".utf8) + chunk + Array("\r\n".utf8) : chunk
                pour(framed, context)
            case .trickle(let interval):
                server.answered(request.path, 200)
                _ = write(Array("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".utf8), context)  // a body until close
                drip(interval, context)
            case .silence:
                break
            }
        }

        /// Writes `chunk` again and again while the peer reads (an endless body).
        private func pour(_ chunk: [UInt8], _ context: ChannelHandlerContext) {
            write(chunk, context).whenComplete { result in
                if case .success = result, context.channel.isActive { self.pour(chunk, context) }
            }
        }

        private func drip(_ interval: TimeAmount, _ context: ChannelHandlerContext) {
            context.eventLoop.scheduleTask(in: interval) {
                guard context.channel.isActive else { return }
                self.write([0x20], context).whenSuccess { self.drip(interval, context) }
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) { context.close(promise: nil) }
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 201: return "Created"
        case 206: return "Partial Content"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 404: return "Not Found"
        case 500: return "Internal Server Error"
        case 503: return "Service Unavailable"
        default: return "Status"
        }
    }
}
