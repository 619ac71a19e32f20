import DeviceCore
import NIOCore
import NIOPosix

/// A device's access point as real sockets: an HTTP server and a UDP DNS responder bound to the
/// device's own loopback address, so curl, dig and browsers can reach its captive portal.
/// It only parses and serialises; what to answer is decided by the callbacks (the device).
public final class PortalHost: Sendable {
    /// Where to bind and how much of a request body to read.
    public struct Configuration: Sendable {
        /// Loopback address both sockets bind to.
        public var address: IPv4Address
        /// HTTP port; 0 picks a free one (see `httpPort`).
        public var httpPort: Int
        /// DNS (UDP) port; 0 picks a free one (see `dnsPort`).
        public var dnsPort: Int
        /// Body bytes read per request; the host keeps at most one more, so the device can say 413.
        public var maxBodyBytes: Int

        /// Sockets on `address` at the given ports.
        public init(address: IPv4Address, httpPort: Int, dnsPort: Int, maxBodyBytes: Int = 1024) {
            self.address = address
            self.httpPort = httpPort
            self.dnsPort = dnsPort
            self.maxBodyBytes = maxBodyBytes
        }
    }

    /// Answers one HTTP request; call `respond` exactly once, from any thread.
    public typealias RequestHandler = @Sendable (HTTPRequest, _ respond: @escaping @Sendable (HTTPResponse) -> Void) -> Void
    /// Answers one DNS datagram; call `reply` exactly once (nil drops it), from any thread.
    public typealias QueryHandler = @Sendable ([UInt8], _ reply: @escaping @Sendable ([UInt8]?) -> Void) -> Void

    /// What was asked for.
    public let configuration: Configuration
    /// The bound HTTP port (the configured one, or the one the kernel chose for 0).
    public let httpPort: Int
    /// The bound DNS port.
    public let dnsPort: Int
    private let httpChannel: Channel
    private let dnsChannel: Channel

    private init(configuration: Configuration, httpChannel: Channel, dnsChannel: Channel) {
        self.configuration = configuration
        self.httpChannel = httpChannel
        self.dnsChannel = dnsChannel
        self.httpPort = httpChannel.localAddress?.port ?? configuration.httpPort
        self.dnsPort = dnsChannel.localAddress?.port ?? configuration.dnsPort
    }

    /// Binds both sockets on `group`; throws when the address or a port is taken.
    public static func start(_ configuration: Configuration, group: EventLoopGroup,
                             onRequest: @escaping RequestHandler, onQuery: @escaping QueryHandler) async throws -> PortalHost {
        let host = configuration.address.text
        let limit = configuration.maxBodyBytes
        let http = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(PortalHTTPHandler(maxBodyBytes: limit, onRequest: onRequest))
                }
            }
            .bind(host: host, port: configuration.httpPort).get()
        let dns: Channel
        do {
            dns = try await DatagramBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(PortalDNSHandler(onQuery: onQuery))
                    }
                }
                .bind(host: host, port: configuration.dnsPort).get()
        } catch {
            try? await http.close()
            throw error
        }
        return PortalHost(configuration: configuration, httpChannel: http, dnsChannel: dns)
    }

    /// Closes both sockets (open HTTP connections finish their current exchange).
    public func stop() async {
        try? await httpChannel.close()
        try? await dnsChannel.close()
    }
}

/// Passes each datagram to the query handler and sends its reply back to the sender.
final class PortalDNSHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>
    let onQuery: PortalHost.QueryHandler

    init(onQuery: @escaping PortalHost.QueryHandler) { self.onQuery = onQuery }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        let bytes = Array(envelope.data.readableBytesView)
        let channel = context.channel
        let sender = envelope.remoteAddress
        onQuery(bytes) { reply in
            guard let reply else { return }
            let buffer = channel.allocator.buffer(bytes: reply)
            channel.writeAndFlush(AddressedEnvelope(remoteAddress: sender, data: buffer), promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // A UDP socket error (e.g. ICMP port unreachable from a vanished client) is no reason to stop.
    }
}
