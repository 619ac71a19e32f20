import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A bare UDP client: sends raw datagrams (malformed on purpose) and collects whatever comes back.
enum UDPProbe {
    final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let received = NIOLockedValueBox<[[UInt8]]>([])
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let bytes = Array(unwrapInboundIn(data).data.readableBytesView)
            received.withLockedValue { $0.append(bytes) }
        }
    }

    /// Sends each datagram, waits `settle` for replies, returns them in arrival order.
    static func exchange(group: EventLoopGroup, to host: String, port: Int, datagrams: [[UInt8]],
                         settle: TimeAmount = .milliseconds(500)) async throws -> [[UInt8]] {
        let collector = Collector()
        let channel = try await DatagramBootstrap(group: group)
            .channelInitializer { channel in channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) } }
            .bind(host: "127.0.0.1", port: 0).get()
        let remote = try SocketAddress(ipAddress: host, port: port)
        for d in datagrams {
            try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: remote, data: channel.allocator.buffer(bytes: d)))
        }
        try await Task.sleep(nanoseconds: UInt64(settle.nanoseconds))
        try await channel.close()
        return collector.received.withLockedValue { $0 }
    }
}
