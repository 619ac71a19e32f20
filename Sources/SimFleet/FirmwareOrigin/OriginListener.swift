import Glibc
import Synchronization

/// The firmware origin's loopback listening socket, bound at start so its port is known at once;
/// the first connection hands it to the server. A fleet that never downloads firmware then runs no
/// event loop: no SwiftNIO thread, selector or code resident for an origin nobody asked anything.
final class OriginListener: @unchecked Sendable {
    let port: Int
    private let descriptor: Int32
    private let wake: (read: Int32, write: Int32)
    private var waiter: OSThread?
    private let phase = Mutex(Phase.waiting)

    private enum Phase { case waiting, handedOver, cancelled }

    /// Listens on 127.0.0.1:`port` (0: a free port).
    init(port requested: Int) throws(OriginError) {
        guard let (fd, port) = ProxySocket.listen(port: requested) else {
            throw .bindFailed(Self.lastError("listen on 127.0.0.1:\(requested)"))
        }
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else {
            let message = Self.lastError("pipe")
            close(fd)
            throw .bindFailed(message)
        }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }  // not inherited by the brokers simfleet starts
        descriptor = fd
        self.port = port
        wake = (ends[0], ends[1])
    }

    deinit {
        close(wake.read)
        close(wake.write)
    }

    /// Waits on a small thread for the first connection, then gives the listening descriptor to
    /// `serve` (which owns it from then on). Call once.
    func onFirstConnection(_ serve: @escaping @Sendable (Int32) -> Void) {
        waiter = OSThread(name: "simfleet-origin", stackSize: 128 * 1024) { [self] in
            var fds = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0)]
            while poll(&fds, 2, -1) < 0 && errno == EINTR {}
            let first = phase.withLock { phase in
                guard phase == .waiting, fds[1].revents == 0 else { return false }
                phase = .handedOver
                return true
            }
            if first { serve(descriptor) }
        }
    }

    /// Stops waiting; returns once the waiting thread has ended (after any `serve` it started).
    /// Closes the descriptor unless it was handed over. True when it was.
    @discardableResult
    func stop() -> Bool {
        let handedOver = phase.withLock { phase in
            if phase == .waiting { phase = .cancelled }
            return phase == .handedOver
        }
        var byte: UInt8 = 1
        _ = write(wake.write, &byte, 1)
        waiter?.join()
        waiter = nil
        if !handedOver { close(descriptor) }
        return handedOver
    }

    private static func lastError(_ what: String) -> String { what + ": " + String(cString: strerror(errno)) }
}
