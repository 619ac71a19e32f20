// CMosquitto for <sys/socket.h>: the static-stdlib release build does not see SOCK_DGRAM through
// Glibc alone (the other socket files import it already).
import CMosquitto
import DeviceCore
import Glibc

/// The phone's captive-portal check: ask the device's DNS responder for a connectivity-check host
/// and see whether the answer is the portal itself (every name resolves to it while the AP is up).
extension PortalClient {
    /// The IPv4 address the responder at `address:dnsPort` gives for `name` (first A record), nil on
    /// no answer within the timeout or a malformed reply (DeviceCore's codec builds and reads them).
    public func resolve(_ name: String, dnsPort: Int) -> String? {
        let id = UInt16.random(in: 1...UInt16.max)
        guard let query = try? DNSMessage.query(id: id, name: DNSName(dotted: name)),
              let reply = exchange(query, port: dnsPort),
              let response = try? DNSResponse(parsing: reply), response.header.id == id else { return nil }
        return response.firstIPv4Address?.text
    }

    /// Sends `datagram` to `address:port` over UDP and returns the first reply, nil on any socket
    /// error or after `timeoutSeconds` without one.
    private func exchange(_ datagram: [UInt8], port: Int) -> [UInt8]? {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var tv = timeval(tv_sec: Int(timeoutSeconds), tv_usec: Int((timeoutSeconds.truncatingRemainder(dividingBy: 1)) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, address, &sin.sin_addr) == 1 else { return nil }
        // Connected, so a responder that is not up yet answers at once with ECONNREFUSED (ICMP), not a timeout.
        let connected = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        guard datagram.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == datagram.count else { return nil }
        // One byte over the UDP limit, so an oversized reply reaches the codec's size check whole enough to fail it.
        var reply = [UInt8](repeating: 0, count: DNSMessage.maxUDPSize + 1)
        let n = reply.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        return Array(reply[0..<n])
    }
}
