import NIOCore
import NIOHTTP1

/// One connection to the firmware origin: GET/HEAD of files with Range support and the faults
/// the origin chose for this response. A body is streamed as slices of the cached file (no copy,
/// except the one chunk a `corrupt` fault changes), one chunk at a time and only while the channel
/// is writable: a slow reader holds at most NIO's write buffer high-water mark (64 KB) plus one
/// chunk, however large the file and however many readers there are.
final class OriginHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let origin: FirmwareOrigin
    private var request: HTTPRequestHead?
    /// The body being sent, if any: resumed when the channel becomes writable again.
    private var streaming: BodyStream?
    static let chunk = 16 * 1024

    /// What remains of one response body.
    struct BodyStream {
        var body: ByteBuffer
        /// Next body offset to send, and where sending stops (a `drop` fault stops early).
        var offset: Int
        var limit: Int
        /// Flip the byte at this body offset (a `corrupt` fault), nil for none.
        var corruptAt: Int?
        var rate: Int?
        var keepAlive: Bool
        var dropping: Bool
        /// Stop at `limit` and send nothing more, the connection left open (a `stall` fault).
        var stalling: Bool
        /// A rate-limited stream waits for its timer, not for writability.
        var waitingForTimer = false
    }

    init(origin: FirmwareOrigin) { self.origin = origin }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): request = head
        case .body: break
        case .end:
            if let head = request { respond(to: head, context: context) }
            request = nil
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, let s = streaming, !s.waitingForTimer { pump(context: context) }
        context.fireChannelWritabilityChanged()
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        origin.record { $0.requests += 1 }
        guard head.method == .GET || head.method == .HEAD else {
            return simple(.methodNotAllowed, context: context, keepAlive: head.isKeepAlive)
        }
        let uriParts = head.uri.split(separator: "?", maxSplits: 1)
        let path = String(uriParts.first ?? "")
        let device = uriParts.count > 1 ? OriginHandler.queryValue("device", in: uriParts[1]) : nil
        guard let file = origin.file(for: path) else {
            origin.record { $0.notFound += 1 }
            return simple(.notFound, context: context, keepAlive: head.isKeepAlive)
        }
        let size = file.readableBytes
        var headers = HTTPHeaders()
        headers.add(name: "Accept-Ranges", value: "bytes")
        headers.add(name: "Content-Type", value: path.hasSuffix(".json") ? "application/json" : "application/octet-stream")
        var status = HTTPResponseStatus.ok
        var body = file
        var rangeStart = 0
        switch ByteRange(header: head.headers.first(name: "range"), size: size) {
        case .whole:
            origin.record { $0.fullResponses += 1 }
        case .partial(let r):
            status = .partialContent
            body = file.getSlice(at: file.readerIndex + r.lowerBound, length: r.count) ?? file
            rangeStart = r.lowerBound
            headers.add(name: "Content-Range", value: "bytes \(r.lowerBound)-\(r.upperBound)/\(size)")
            origin.record { $0.rangeResponses += 1 }
        case .unsatisfiable:
            origin.record { $0.rangeNotSatisfiable += 1 }
            headers.add(name: "Content-Range", value: "bytes */\(size)")
            return simple(.rangeNotSatisfiable, headers: headers, context: context, keepAlive: head.isKeepAlive)
        }
        let isManifest = path.hasSuffix("manifest.json")
        let (fault, rate) = isManifest ? (.none, nil) : origin.chooseFault(path: path, device: device, rangeStart: rangeStart, fileSize: size,
                                                                           bodyLength: body.readableBytes)
        var length = body.readableBytes
        var dropAfter: Int? = nil
        var stallAfter: Int? = nil
        var corruptAt: Int? = nil
        switch fault {
        case .none: break
        case .corrupt(let offset):
            corruptAt = offset
            origin.record { $0.corrupted += 1 }
        case .truncate(let keep):
            length = min(length, keep)
            origin.record { $0.truncated += 1 }
        case .drop(let after):
            dropAfter = after
            origin.record { $0.dropped += 1 }
        case .stall(let after):
            stallAfter = after
            origin.record { $0.stalled += 1 }
        }
        headers.add(name: "Content-Length", value: String(length))
        let keepAlive = head.isKeepAlive && dropAfter == nil
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if head.method == .HEAD {
            return finish(context: context, keepAlive: keepAlive)
        }
        streaming = BodyStream(body: body, offset: 0, limit: min(length, dropAfter ?? stallAfter ?? length), corruptAt: corruptAt,
                               rate: rate, keepAlive: keepAlive, dropping: dropAfter != nil, stalling: stallAfter != nil)
        context.flush()
        pump(context: context)
    }

    /// Writes chunks while the channel is writable (or one per rate-limit period), then ends the
    /// response, or closes early when dropping.
    private func pump(context: ChannelHandlerContext) {
        guard var s = streaming else { return }
        s.waitingForTimer = false
        while s.offset < s.limit {
            guard context.channel.isActive else {
                streaming = nil
                return
            }
            guard context.channel.isWritable else {
                streaming = s
                return  // channelWritabilityChanged resumes
            }
            let n = min(s.limit - s.offset, OriginHandler.chunk)
            guard var chunk = s.body.getSlice(at: s.body.readerIndex + s.offset, length: n) else { break }
            if let at = s.corruptAt, at >= s.offset, at < s.offset + n {
                // The one chunk a corrupt fault changes is copied; the file's bytes stay intact.
                var copy = context.channel.allocator.buffer(capacity: n)
                copy.writeBuffer(&chunk)
                let index = copy.readerIndex + (at - s.offset)
                copy.setInteger(copy.getInteger(at: index, as: UInt8.self)! ^ 0xFF, at: index)
                chunk = copy
            }
            write(chunk, bytes: n, context: context)
            s.offset += n
            if let rate = s.rate, rate > 0, s.offset < s.limit {
                s.waitingForTimer = true
                streaming = s
                let delay = TimeAmount.nanoseconds(Int64(OriginHandler.chunk) * 1_000_000_000 / Int64(rate))
                context.eventLoop.scheduleTask(in: delay) { [self] in
                    guard context.channel.isActive else { return }
                    pump(context: context)
                }
                return
            }
        }
        streaming = nil
        if s.stalling {
            return  // nothing more, until the client gives up and closes
        } else if s.dropping {
            context.close(promise: nil)
        } else {
            finish(context: context, keepAlive: s.keepAlive)
        }
    }

    /// Writes one chunk, counting it as queued until NIO has handed it to the socket.
    private func write(_ chunk: ByteBuffer, bytes n: Int, context: ChannelHandlerContext) {
        origin.record {
            $0.bytesServed += n
            $0.queuedBytes += n
            $0.peakQueuedBytes = max($0.peakQueuedBytes, $0.queuedBytes)
        }
        let written = context.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenComplete { [origin] _ in origin.record { $0.queuedBytes -= n } }
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(chunk))), promise: written)
    }

    private func finish(context: ChannelHandlerContext, keepAlive: Bool) {
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            if !keepAlive { context.close(promise: nil) }
        }
    }

    private func simple(_ status: HTTPResponseStatus, headers extra: HTTPHeaders = HTTPHeaders(), context: ChannelHandlerContext,
                        keepAlive: Bool) {
        var headers = extra
        headers.add(name: "Content-Length", value: "0")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        finish(context: context, keepAlive: keepAlive)
    }
}

extension OriginHandler {
    /// The percent-decoded value of `name` in a URL query (`device=esp32c6-000001&x=1`).
    static func queryValue(_ name: String, in query: Substring) -> String? {
        for pair in query.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            if kv.count == 2, kv[0] == name { return String(kv[1]).removingPercentEncoding }
        }
        return nil
    }
}
