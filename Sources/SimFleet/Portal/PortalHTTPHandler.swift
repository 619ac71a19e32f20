import DeviceCore
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// Turns NIO's HTTP/1.1 parts into one `HTTPRequest` (body capped at the limit + 1 byte, the
/// declared Content-Length kept) and writes the `HTTPResponse` the device gives back.
final class PortalHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        case idle
        case receiving(HTTPRequestHead, [UInt8])
        /// The body went over the cap: the request was dispatched, the rest is thrown away and
        /// the connection closes after the response.
        case discarding
    }

    private let maxBodyBytes: Int
    private let onRequest: PortalHost.RequestHandler
    private var state = State.idle
    /// This connection's number (`HTTPRequest.connection`): the device's provisioning service ties
    /// a session to it, as ESP-IDF's httpd ties one to its socket. Never reused in a process.
    let connection: UInt32
    private static let connections = NIOLockedValueBox<UInt32>(0)

    init(maxBodyBytes: Int, onRequest: @escaping PortalHost.RequestHandler) {
        self.maxBodyBytes = maxBodyBytes
        self.onRequest = onRequest
        self.connection = Self.connections.withLockedValue { n in
            n &+= 1
            return n
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch (unwrapInboundIn(data), state) {
        case (.head(let head), _):
            state = .receiving(head, [])
        case (.body(var chunk), .receiving(let head, var body)):
            let room = maxBodyBytes + 1 - body.count
            body.append(contentsOf: chunk.readBytes(length: min(room, chunk.readableBytes)) ?? [])
            if body.count > maxBodyBytes {
                state = .discarding
                dispatch(head, body, context: context, close: true)
            } else {
                state = .receiving(head, body)
            }
        case (.end, .receiving(let head, let body)):
            state = .idle
            dispatch(head, body, context: context, close: !head.isKeepAlive)
        case (.end, .discarding):
            state = .idle
        case (.body, _), (.end, .idle):
            break
        }
    }

    private func dispatch(_ head: HTTPRequestHead, _ body: [UInt8], context: ChannelHandlerContext, close: Bool) {
        var request = Self.request(head, body)
        request.connection = connection
        let channel = context.channel
        let isHead = head.method == .HEAD
        let version = head.version
        onRequest(request) { response in
            var headers = HTTPHeaders()
            for h in response.headers { headers.add(name: h.name, value: h.value) }
            headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
            // The device may end the connection itself (the provisioning service does after a refusal).
            let close = close || response.header("Connection").map { asciiCaseInsensitiveEqual($0, "close") } == true
            if close { headers.replaceOrAdd(name: "Connection", value: "close") }
            let status = HTTPResponseStatus(statusCode: response.status)
            channel.write(HTTPServerResponsePart.head(HTTPResponseHead(version: version, status: status, headers: headers)),
                          promise: nil)
            if !isHead && !response.body.isEmpty {
                channel.write(HTTPServerResponsePart.body(.byteBuffer(channel.allocator.buffer(bytes: response.body))),
                              promise: nil)
            }
            let done = channel.writeAndFlush(HTTPServerResponsePart.end(nil))
            if close { done.whenComplete { _ in channel.close(promise: nil) } }
        }
    }

    /// The device's view of a request: path and query split, headers in order.
    static func request(_ head: HTTPRequestHead, _ body: [UInt8]) -> HTTPRequest {
        let uri = head.uri
        let path: String, query: String
        if let q = uri.firstIndex(of: "?") {
            path = String(uri[..<q])
            query = String(uri[uri.index(after: q)...])
        } else {
            path = uri
            query = ""
        }
        let headers = head.headers.map { HTTPHeader($0.name, $0.value) }
        let declared = head.headers.first(name: "Content-Length").flatMap { Int($0) }
        return HTTPRequest(method: HTTPMethod(head.method.rawValue), path: path.isEmpty ? "/" : path, query: query,
                           headers: headers, body: body, declaredLength: declared)
    }
}
