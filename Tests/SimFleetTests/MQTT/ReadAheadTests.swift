import CMosquitto
import DeviceCore
import Foundation
import Synchronization
import XCTest
@testable import SimFleet

/// libmosquitto reads every packet field with its own read(): three system calls for a PUBACK, four
/// for a status message. A client reads ahead instead, one read for what the socket holds, and must
/// hand libmosquitto exactly the bytes it would have read itself.
final class ReadAheadTests: XCTestCase {
    private func nonBlockingPair() -> (Int32, Int32) {
        var fds: [Int32] = [-1, -1]
        XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0, &fds), 0)
        return (fds[0], fds[1])
    }

    func testReadAheadServesItsDescriptorFromOneReadAndLeavesOthersAlone() {
        let (a, aPeer) = nonBlockingPair(), (b, bPeer) = nonBlockingPair()
        defer { for fd in [a, aPeer, b, bPeer] { close(fd) } }
        XCTAssertEqual(write(aPeer, "0123456789", 10), 10)
        XCTAssertEqual(write(bPeer, "abcdef", 6), 6)
        XCTAssertTrue(simfleet_read_ahead_begin(a))
        var byte: UInt8 = 0
        XCTAssertEqual(read(a, &byte, 1), 1)
        XCTAssertEqual(byte, UInt8(ascii: "0"))
        XCTAssertEqual(simfleet_read_ahead_pending(), 9, "one read took all ten bytes")
        var two = [UInt8](repeating: 0, count: 2)
        XCTAssertEqual(read(b, &two, 2), 2, "another descriptor reads from its socket")
        XCTAssertEqual(String(decoding: two, as: UTF8.self), "ab")
        var rest = [UInt8](repeating: 0, count: 20)
        XCTAssertEqual(read(a, &rest, 20), 9, "the rest, from the buffer")
        XCTAssertEqual(String(decoding: rest.prefix(9), as: UTF8.self), "123456789")
        XCTAssertEqual(read(a, &rest, 20), -1, "then the empty socket's answer")
        XCTAssertEqual(errno, EAGAIN)
        XCTAssertEqual(simfleet_read_ahead_end(), 0)

        XCTAssertEqual(write(aPeer, "xyz", 3), 3)
        XCTAssertEqual(read(a, &rest, 1), 1, "outside the window a read takes what it asks for")
        XCTAssertEqual(read(a, &rest, 20), 2)
    }

    func testABurstOfMessagesArrivesWholeAndInOrderWithAThirdOfTheReads() throws {
        let broker = try PlainBroker()
        defer { broker.stop() }
        let reactor = Reactor(index: 0, name: "read-ahead-test")
        reactor.start()
        defer { reactor.stopAndJoin() }
        let subscriber = BurstSubscriber(reactor: reactor, port: broker.port)
        reactor.sync { subscriber.start() }
        awaitCondition("subscribed", timeout: 10) { subscriber.isSubscribed }

        // Mostly heartbeat-sized messages, and some that span the 16 KiB buffer or exceed it.
        let lines = (0..<300).map { k -> String in
            let size = k % 50 == 7 ? 40_000 + k : k % 50 == 9 ? 16_380 + k % 7 : 60 + k % 90
            return "\(k):" + String(repeating: Character(UnicodeScalar(UInt8(97 + k % 26))), count: size)
        }
        let publisher = Process()
        publisher.executableURL = URL(fileURLWithPath: try XCTUnwrap(EmbeddedBroker.which("mosquitto_pub")))
        publisher.arguments = ["-h", "127.0.0.1", "-p", "\(broker.port)", "-t", "burst/x", "-q", "1", "-l"]
        let input = Pipe()
        publisher.standardInput = input
        try publisher.run()
        input.fileHandleForWriting.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        try input.fileHandleForWriting.close()
        publisher.waitUntilExit()

        awaitCondition("300 messages", timeout: 20) { subscriber.received.withLock { $0.count } >= lines.count }
        let received = subscriber.received.withLock { $0 }
        XCTAssertEqual(received.count, lines.count)
        XCTAssertTrue(received == lines, "every message whole and in order")
        let (asked, kernel) = reactor.sync { () -> (UInt, UInt) in
            var asked: UInt = 0, kernel: UInt = 0
            simfleet_read_ahead_counts(&asked, &kernel)
            return (asked, kernel)
        }
        XCTAssertGreaterThanOrEqual(asked, UInt(3 * lines.count), "libmosquitto asks at least three times a packet")
        XCTAssertLessThanOrEqual(kernel * 3, asked, "the kernel is asked at most a third as often (\(kernel) of \(asked))")
        reactor.sync { subscriber.stop() }
    }
}

/// A subscriber on a reactor that keeps every message's payload.
private final class BurstSubscriber: ReactorClient, MosquittoClientDelegate, @unchecked Sendable {
    private let reactor: Reactor
    private let port: Int
    private var slot: Int32 = -1
    private var client: MosquittoClient?
    let received = Mutex<[String]>([])
    private let subscribed = Atomic<Bool>(false)
    var isSubscribed: Bool { subscribed.load(ordering: .relaxed) }

    init(reactor: Reactor, port: Int) {
        self.reactor = reactor
        self.port = port
    }

    func start() {
        slot = reactor.attach(self)
        client = MosquittoClient(clientID: "read-ahead-subscriber", delegate: self, reactor: reactor, slot: slot)
        _ = client?.connect(host: "127.0.0.1", port: Int32(port), keepAlive: 30, bindAddress: nil)
    }

    func stop() {
        client?.disconnect()
        client = nil
        reactor.detach(slot)
    }

    func descriptorReady(_ events: UInt32, fd: Int32) { client?.ready(events) }
    func timerFired(at now: Instant) {}
    func housekeeping() { client?.housekeeping() }

    func mqttConnected(returnCode: Int32) { _ = client?.subscribe(topic: "burst/#", qos: 1) }
    func mqttDisconnected(returnCode: Int32) {}
    func mqttPublished(mid: Int32) {}
    func mqttMessage(topic: UnsafeBufferPointer<UInt8>, payload: UnsafeRawBufferPointer) {
        received.withLock { $0.append(String(decoding: payload, as: UTF8.self)) }
    }
    func mqttSubscribed(mid: Int32, granted: [Int32]) { subscribed.store(true, ordering: .relaxed) }
}
