import DeviceCore
import Dispatch
import Foundation
import Glibc
import XCTest
@testable import SimFleet

/// A reactor with a fault proxy of its own (1 ms timer tick), for tests that drive the proxy with
/// real sockets: a raw MQTT client on the test thread, a real mosquitto behind.
final class ProxyHarness: @unchecked Sendable {
    let reactor = Reactor(index: 90, tickMicros: 1000)
    private(set) var proxy: FaultProxy!

    init() throws {
        reactor.start()
        let made: Bool = sync { [reactor] in
            guard let p = FaultProxy(reactor: reactor, upstreamBind: { _ in nil }) else { return false }
            p.attach()
            reactor.faultProxy = p
            self.proxy = p
            return true
        }
        guard made else { throw CocoaError(.fileWriteUnknown) }
    }

    var port: Int { proxy.port }

    func sync<T>(_ body: @escaping () -> T) -> T { reactor.sync(body) }

    func apply(_ toxic: Toxic, device: Int = 0) { sync { self.proxy.apply(toxic, devices: [device]) } }
    /// Announces a connection from `source` as device `device`'s, bound for 127.0.0.1:`brokerPort`.
    func expect(source: UInt64, device: Int, brokerPort: Int) {
        sync { self.proxy.expect(source: source, device: device, target: ProxySocket.target("127.0.0.1", port: brokerPort)!) }
    }
    func clear(_ kind: Toxic.Kind? = nil) { sync { self.proxy.clear(kind, devices: nil) } }
    func beginOutage(_ mode: OutageMode) { sync { self.proxy.beginOutage(mode) } }
    func endOutage() { sync { self.proxy.endOutage() } }
    var stats: FaultProxyStats { sync { self.proxy.stats } }
    var links: Int { sync { self.proxy.linkCount } }

    func stop() {
        sync { self.proxy.shutdown() }
        reactor.stopAndJoin()
    }
}

/// A blocking TCP client with read timeouts that speaks just enough MQTT 3.1.1 to time what a
/// proxied connection does to bytes (the broker on the other end is a real mosquitto).
final class RawMQTTClient {
    let fd: Int32

    enum Failure: Error, Equatable {
        case connect(Int32)
        case closed
        case timeout
        case reset
    }

    /// A plain TCP connection to 127.0.0.1:`port`; `announce` learns its source first (the fault
    /// proxy must be told which device is coming).
    init(port: Int, announce: ((UInt64) -> Void)? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if let announce {
            var local = ProxySocket.ipv4("127.0.0.1", port: 0)!
            _ = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            announce(ProxySocket.localKey(fd)!)
        }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(port).bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if rc != 0 {
            let e = errno
            close(fd)
            throw Failure.connect(e)
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Through the harness's proxy as device `device`, to the broker at 127.0.0.1:`brokerPort`.
    convenience init(through harness: ProxyHarness, device: Int = 0, brokerPort: Int) throws {
        try self.init(port: harness.port) { harness.expect(source: $0, device: device, brokerPort: brokerPort) }
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) throws {
        let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if n != bytes.count { throw errno == ECONNRESET ? Failure.reset : Failure.closed }
    }

    /// Exactly `count` bytes, or the failure that came first.
    func read(_ count: Int, timeout: Double) throws -> [UInt8] {
        var out: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        while out.count < count {
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { throw Failure.timeout }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, Int32(max(1, left * 1000)))
            if ready == 0 { continue }
            var buffer = [UInt8](repeating: 0, count: count - out.count)
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { throw Failure.closed }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw errno == ECONNRESET ? Failure.reset : Failure.closed
            }
            out += buffer[0..<n]
        }
        return out
    }

    /// One MQTT packet: its first byte and body.
    func readPacket(timeout: Double) throws -> (type: UInt8, body: [UInt8]) {
        let deadline = Date().addingTimeInterval(timeout)
        let first = try read(1, timeout: timeout)[0]
        var length = 0, shift = 0
        while true {
            let b = try read(1, timeout: max(0.01, deadline.timeIntervalSinceNow))[0]
            length |= Int(b & 0x7F) << shift
            if b & 0x80 == 0 { break }
            shift += 7
        }
        let body = length == 0 ? [] : try read(length, timeout: max(0.01, deadline.timeIntervalSinceNow))
        return (first >> 4, body)
    }

    static func string(_ s: String) -> [UInt8] {
        let u = Array(s.utf8)
        return [UInt8(u.count >> 8), UInt8(u.count & 0xFF)] + u
    }

    static func packet(_ first: UInt8, _ body: [UInt8]) -> [UInt8] {
        var out = [first]
        var n = body.count
        repeat {
            var b = UInt8(n & 0x7F)
            n >>= 7
            if n > 0 { b |= 0x80 }
            out.append(b)
        } while n > 0
        return out + body
    }

    /// CONNECT (MQTT 3.1.1, clean session) and wait for CONNACK; returns the CONNACK return code.
    @discardableResult
    func mqttConnect(clientID: String, keepAlive: UInt16 = 60, will: (topic: String, payload: String)? = nil,
                     timeout: Double = 5) throws -> UInt8 {
        var flags: UInt8 = 0x02
        var payload = RawMQTTClient.string(clientID)
        if let will {
            flags |= 0x04
            payload += RawMQTTClient.string(will.topic) + RawMQTTClient.string(will.payload)
        }
        let header = RawMQTTClient.string("MQTT") + [4, flags, UInt8(keepAlive >> 8), UInt8(keepAlive & 0xFF)]
        try send(RawMQTTClient.packet(0x10, header + payload))
        let ack = try readPacket(timeout: timeout)
        guard ack.type == 2, ack.body.count == 2 else { throw Failure.closed }
        return ack.body[1]
    }

    func subscribe(_ topic: String, timeout: Double = 5) throws {
        try send(RawMQTTClient.packet(0x82, [0, 1] + RawMQTTClient.string(topic) + [0]))
        guard try readPacket(timeout: timeout).type == 9 else { throw Failure.closed }
    }

    func publish(_ topic: String, _ payload: [UInt8]) throws {
        try send(RawMQTTClient.packet(0x30, RawMQTTClient.string(topic) + payload))
    }

    func pingRequest() throws { try send([0xC0, 0]) }
}
