import CMosquitto
import Glibc

/// Where a proxied connection goes: the broker address libmosquitto meant to reach, as it resolved it.
struct ProxyTarget {
    var address: sockaddr_storage
    var length: socklen_t
}

/// The few socket calls the fault proxy makes, with the flags it always wants (non-blocking,
/// close-on-exec, no SIGPIPE). Every call returns -1 / nil and leaves errno on failure.
enum ProxySocket {
    /// A listening socket on 127.0.0.1 (port 0: the kernel picks one).
    static func listen(port: Int = 0) -> (fd: Int32, port: Int)? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = ipv4("127.0.0.1", port: port)!
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        guard bound == 0, Glibc.listen(fd, 4096) == 0 else {
            Glibc.close(fd)
            return nil
        }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return (fd, Int(UInt16(bigEndian: addr.sin_port)))
    }

    /// The next pending connection and the key of its source address (nil for an unusable peer).
    static func accept(_ listener: Int32) -> (fd: Int32, source: UInt64?) {
        var peer = sockaddr_storage()
        let fd = simfleet_accept_nonblocking(listener, &peer)
        guard fd >= 0 else { return (fd, nil) }
        // As on the way to the broker: small MQTT packets go out at once, not after Nagle's wait
        // for an acknowledgement (which adds a delayed ACK, ~40 ms, to every PUBACK on loopback).
        noDelay(fd)
        return (fd, key(peer))
    }

    /// A source address and port as one number: IPv4 address (or the IPv4 inside a v4-mapped IPv6
    /// one) in the high bits, port in the low 16.
    static func key(_ address: sockaddr_storage) -> UInt64? {
        var a = address
        switch Int32(a.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &a) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { p in
                    UInt64(UInt32(bigEndian: p.pointee.sin_addr.s_addr)) << 16 | UInt64(UInt16(bigEndian: p.pointee.sin_port))
                }
            }
        case AF_INET6:
            return withUnsafePointer(to: &a) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { p -> UInt64? in
                    let b = withUnsafeBytes(of: p.pointee.sin6_addr) { Array($0) }
                    guard b[0..<10].allSatisfy({ $0 == 0 }), b[10] == 0xFF, b[11] == 0xFF else { return nil }
                    let v4 = UInt32(b[12]) << 24 | UInt32(b[13]) << 16 | UInt32(b[14]) << 8 | UInt32(b[15])
                    return UInt64(v4) << 16 | UInt64(UInt16(bigEndian: p.pointee.sin6_port))
                }
            }
        default:
            return nil
        }
    }

    /// The key of `fd`'s local address (see `key`).
    static func localKey(_ fd: Int32) -> UInt64? {
        var local = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return ok == 0 ? key(local) : nil
    }

    /// Starts a non-blocking connect to `target`, from `bindAddress` (IPv4 targets only) when given.
    /// The descriptor, and whether the connect already completed; nil with errno when it failed at once.
    static func connect(to target: ProxyTarget, from bindAddress: String?) -> (fd: Int32, connected: Bool)? {
        let family = Int32(target.address.ss_family)
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        noDelay(fd)
        func fail() -> (fd: Int32, connected: Bool)? {
            let e = errno
            Glibc.close(fd)
            errno = e
            return nil
        }
        if family == AF_INET, let bindAddress, var local = ipv4(bindAddress, port: 0) {
            let ok = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            if ok != 0 { return fail() }
        }
        var remote = target.address
        let rc = withUnsafePointer(to: &remote) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, target.length) }
        }
        if rc == 0 { return (fd, true) }
        guard errno == EINPROGRESS else { return fail() }
        return (fd, false)
    }

    static func noDelay(_ fd: Int32) {
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// The outcome of a non-blocking connect (0: connected, else the errno).
    static func connectError(_ fd: Int32) -> Int32 {
        var err: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 else { return errno }
        return err
    }

    /// Writes without SIGPIPE; the count written, 0 when the socket is full, -1 on error.
    static func send(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int {
        guard bytes.count > 0 else { return 0 }
        let n = Glibc.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
        if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return 0 }
        return n
    }

    /// Closes; `reset` sends a TCP RST instead of a FIN (SO_LINGER with a zero timeout).
    static func close(_ fd: Int32, reset: Bool) {
        guard fd >= 0 else { return }
        if reset {
            var l = linger(l_onoff: 1, l_linger: 0)
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, socklen_t(MemoryLayout<linger>.size))
        }
        Glibc.close(fd)
    }

    /// An IPv4 socket address for a dotted-quad literal.
    static func ipv4(_ text: String, port: Int) -> sockaddr_in? {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(truncatingIfNeeded: port).bigEndian
        guard inet_pton(AF_INET, text, &addr.sin_addr) == 1 else { return nil }
        return addr
    }

    /// `ipv4` as a target.
    static func target(_ text: String, port: Int) -> ProxyTarget? {
        guard var v4 = ipv4(text, port: port) else { return nil }
        var storage = sockaddr_storage()
        withUnsafeMutableBytes(of: &storage) { dst in withUnsafeBytes(of: &v4) { dst.copyMemory(from: $0) } }
        return ProxyTarget(address: storage, length: socklen_t(MemoryLayout<sockaddr_in>.size))
    }
}
