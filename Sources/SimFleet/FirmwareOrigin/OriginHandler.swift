import NIOCore
import NIOHTTP1

/// One connection to the firmware origin: GET/HEAD of files with Range support and the faults
/// the origin chose for this response.
final class OriginHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let origin: FirmwareOrigin
    private var request: HTTPRequestHead?
    static let chunk = 16 * 1024

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
        var headers = HTTPHeaders()
        headers.add(name: "Accept-Ranges", value: "bytes")
        headers.add(name: "Content-Type", value: path.hasSuffix(".json") ? "application/json" : "application/octet-stream")
        var status = HTTPResponseStatus.ok
        var slice = file[...]
        var rangeStart = 0
        switch ByteRange(header: head.headers.first(name: "range"), size: file.count) {
        case .whole:
            origin.record { $0.fullResponses += 1 }
        case .partial(let r):
            status = .partialContent
            slice = file[r]
            rangeStart = r.lowerBound
            headers.add(name: "Content-Range", value: "bytes \(r.lowerBound)-\(r.upperBound)/\(file.count)")
            origin.record { $0.rangeResponses += 1 }
        case .unsatisfiable:
            origin.record { $0.rangeNotSatisfiable += 1 }
            headers.add(name: "Content-Range", value: "bytes */\(file.count)")
            return simple(.rangeNotSatisfiable, headers: headers, context: context, keepAlive: head.isKeepAlive)
        }
        var body = Array(slice)
        let isManifest = path.hasSuffix("manifest.json")
        let (fault, rate) = isManifest ? (.none, nil) : origin.chooseFault(path: path, device: device, rangeStart: rangeStart, fileSize: file.count, bodyLength: body.count)
        var dropAfter: Int? = nil
        switch fault {
        case .none: break
        case .corrupt(let offset):
            body[offset] ^= 0xFF
            origin.record { $0.corrupted += 1 }
        case .truncate(let keep):
            body = Array(body.prefix(keep))
            origin.record { $0.truncated += 1 }
        case .drop(let after):
            dropAfter = after
            origin.record { $0.dropped += 1 }
        }
        headers.add(name: "Content-Length", value: String(body.count))
        let keepAlive = head.isKeepAlive && dropAfter == nil
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if head.method == .HEAD {
            return finish(context: context, keepAlive: keepAlive)
        }
        let limit = dropAfter ?? body.count
        send(body, from: 0, limit: limit, rate: rate, context: context, keepAlive: keepAlive, dropping: dropAfter != nil)
    }

    /// Writes `body[from..<limit]` in chunks, paced by `rate`; closes early when dropping.
    private func send(_ body: [UInt8], from: Int, limit: Int, rate: Int?, context: ChannelHandlerContext, keepAlive: Bool,
                      dropping: Bool) {
        var offset = from
        while offset < limit {
            let end = min(limit, offset + OriginHandler.chunk)
            var buf = context.channel.allocator.buffer(capacity: end - offset)
            buf.writeBytes(body[offset..<end])
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(buf))), promise: nil)
            origin.record { $0.bytesServed += end - offset }
            offset = end
            if let rate, rate > 0, offset < limit {
                let delay = TimeAmount.nanoseconds(Int64(OriginHandler.chunk) * 1_000_000_000 / Int64(rate))
                let next = offset
                context.eventLoop.scheduleTask(in: delay) { [self] in
                    guard context.channel.isActive else { return }
                    send(body, from: next, limit: limit, rate: rate, context: context, keepAlive: keepAlive, dropping: dropping)
                }
                return
            }
        }
        if dropping {
            context.close(promise: nil)
        } else {
            finish(context: context, keepAlive: keepAlive)
        }
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
