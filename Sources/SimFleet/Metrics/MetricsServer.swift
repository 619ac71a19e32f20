import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// Serves `GET /metrics` on a loopback address with SwiftNIO (the stack the firmware origin uses),
/// one event-loop thread of its own so a slow scraper never touches the fleet's reactors.
/// Other paths get 404, other methods 405; request heads are bounded by NIO's HTTP parser.
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
    private let group: MultiThreadedEventLoopGroup
    private var channel: Channel?

    /// Binds `host:port` (port 0 picks a free one) and serves `body()` at `/metrics` until `stop()`.
    public init(host: String = "127.0.0.1", port: Int, body: @escaping @Sendable () -> [UInt8]) throws(Failure) {
        let octets = host.split(separator: ".")
        guard octets.count == 4, octets.allSatisfy({ UInt8($0) != nil }), octets[0] == "127" else { throw .notLoopback(host) }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(MetricsHandler(body: body))
                }
            }
        do {
            let channel = try bootstrap.bind(host: host, port: port).wait()
            self.channel = channel
            self.port = channel.localAddress?.port ?? port
        } catch {
            try? group.syncShutdownGracefully()
            throw .socket("cannot listen on " + host + ":" + String(port) + ": " + String(describing: error))
        }
        self.group = group
    }

    /// Stops listening and shuts the event loop down.
    public func stop() {
        try? channel?.close().wait()
        channel = nil
        try? group.syncShutdownGracefully()
    }
}

/// One request at a time per connection: the exposition for `/metrics`, errors for anything else.
final class MetricsHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let body: @Sendable () -> [UInt8]
    private var head: HTTPRequestHead?

    init(body: @escaping @Sendable () -> [UInt8]) { self.body = body }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h): head = h
        case .body: break
        case .end:
            guard let head else { return }
            self.head = nil
            respond(to: head, context: context)
        }
    }

    func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        let status: HTTPResponseStatus
        var bytes: [UInt8]
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        if head.method != .GET && head.method != .HEAD {
            status = .methodNotAllowed
            bytes = Array("only GET\n".utf8)
            headers.add(name: "Allow", value: "GET, HEAD")
        } else if path != "/metrics" {
            status = .notFound
            bytes = Array("try /metrics\n".utf8)
        } else {
            status = .ok
            bytes = body()
        }
        headers.add(name: "Content-Type", value: status == .ok ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain; charset=utf-8")
        headers.add(name: "Content-Length", value: String(bytes.count))
        headers.add(name: "Connection", value: "close")
        if head.method == .HEAD { bytes = [] }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if !bytes.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: bytes)))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
