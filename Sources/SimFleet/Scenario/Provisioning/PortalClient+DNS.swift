// CMosquitto for <sys/socket.h>: the static-stdlib release build does not see SOCK_STREAM, SOCK_DGRAM
// and MSG_NOSIGNAL through Glibc alone (the other socket files import it already).
import CMosquitto
import Foundation
import Glibc

/// The phone's captive-portal check: ask the device's DNS responder for a connectivity-check host
/// and see whether the answer is the portal itself (every name resolves to it while the AP is up).
extension PortalClient {
    /// The IPv4 address the responder at `address:dnsPort` gives for `name` (first A record), nil on
    /// no answer within the timeout or a malformed reply.
    public func resolve(_ name: String, dnsPort: Int) -> String? {
        let id = UInt16.random(in: 1...UInt16.max)
        var query: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xFF), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        for label in name.split(separator: ".") {
            let bytes = Array(label.utf8)
            guard (1...63).contains(bytes.count) else { return nil }
            query.append(UInt8(bytes.count))
            query += bytes
        }
        query += [0, 0, 1, 0, 1]  // root, type A, class IN
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var tv = timeval(tv_sec: Int(timeoutSeconds), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = in_port_t(UInt16(dnsPort).bigEndian)
        guard inet_pton(AF_INET, address, &sin.sin_addr) == 1 else { return nil }
        // Connected, so a responder that is not up yet answers at once with ECONNREFUSED (ICMP), not a timeout.
        let connected = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        let sent = query.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        guard sent == query.count else { return nil }
        var reply = [UInt8](repeating: 0, count: 512)
        let n = reply.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n >= query.count + 16, reply[0] == query[0], reply[1] == query[1], reply[7] > 0 else { return nil }
        // The first answer follows the echoed question: name (a pointer, 2 bytes), type, class, TTL, length, address.
        var i = query.count
        if reply[i] & 0xC0 == 0xC0 { i += 2 } else { while i < n && reply[i] != 0 { i += Int(reply[i]) + 1 }; i += 1 }
        guard i + 14 <= n, reply[i] == 0, reply[i + 1] == 1, reply[i + 8] == 0, reply[i + 9] == 4 else { return nil }
        return reply[(i + 10)..<(i + 14)].map { String($0) }.joined(separator: ".")
    }
}
