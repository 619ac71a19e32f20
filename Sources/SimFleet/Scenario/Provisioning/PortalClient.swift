// CMosquitto for <sys/socket.h>: the static-stdlib release build does not see SOCK_STREAM, SOCK_DGRAM
// and MSG_NOSIGNAL through Glibc alone (the other socket files import it already).
import CMosquitto
import Foundation
import Glibc

/// A phone talking to a device's captive portal: one HTTP/1.1 request over a fresh TCP connection
/// to the device's own loopback address, answered status code and body. Blocking, with timeouts;
/// used from the timeline thread, never from a reactor.
public struct PortalClient: Sendable {
    /// The portal's address (`127.20.0.5`) and port.
    public var address: String
    public var port: Int
    public var timeoutSeconds: Double = 3

    public init(address: String, port: Int) {
        self.address = address
        self.port = port
    }

    /// Why a request got no HTTP answer.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case connect(errno: Int32)
        case io(errno: Int32)
        case malformedResponse

        public var description: String {
            switch self {
            case .connect(let e): return "connect: " + String(cString: strerror(e))
            case .io(let e): return "i/o: " + String(cString: strerror(e))
            case .malformedResponse: return "malformed HTTP response"
            }
        }
    }

    /// `POST /save` with the network's credentials as a form, as the portal page submits them.
    public func save(ssid: String, password: String) -> Result<(status: Int, body: String), Failure> {
        let form = "ssid=" + ssid.addingPercentEncodingForQuery() + "&password=" + password.addingPercentEncodingForQuery()
        return request("POST", "/save", contentType: "application/x-www-form-urlencoded", body: Array(form.utf8))
    }

    public func request(_ method: String, _ path: String, contentType: String? = nil,
                        body: [UInt8] = []) -> Result<(status: Int, body: String), Failure> {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return .failure(.connect(errno: errno)) }
        defer { close(fd) }
        var tv = timeval(tv_sec: Int(timeoutSeconds), tv_usec: Int((timeoutSeconds.truncatingRemainder(dividingBy: 1)) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, address, &sin.sin_addr) == 1 else { return .failure(.connect(errno: EINVAL)) }
        let connected = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return .failure(.connect(errno: errno)) }
        var head = method + " " + path + " HTTP/1.1\r\nHost: " + address + "\r\nConnection: close\r\n"
        if let contentType { head += "Content-Type: " + contentType + "\r\n" }
        head += "Content-Length: " + String(body.count) + "\r\n\r\n"
        let out = Array(head.utf8) + body
        var sent = 0
        while sent < out.count {
            let n = out[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return .failure(.io(errno: errno)) }
            sent += n
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while response.count < 1 << 20 {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { break }
            guard n > 0 else {
                if response.isEmpty { return .failure(.io(errno: errno)) }
                break
            }
            response += buffer[0..<n]
        }
        let text = String(decoding: response, as: UTF8.self)
        let statusLine = text.prefix { $0 != "\r" && $0 != "\n" }.split(separator: " ")
        guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/1."), let status = Int(statusLine[1]) else {
            return .failure(.malformedResponse)
        }
        let bodyText = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return .success((status, bodyText))
    }
}
