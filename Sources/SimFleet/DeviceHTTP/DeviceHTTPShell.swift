import DeviceCore
import NIOCore
import NIOPosix
import Synchronization

/// The imperative shell of a device's own web server in station mode: a listening socket on the
/// device's loopback address while its station is up, requests turned into device events on the
/// reactor thread, the device's answers written back. Life cycle on the reactor thread:
/// `want(true)` binds, `want(false)` closes (answering what waits with 503); a bind that finds
/// the address still taken (the access point's portal closing on the same address) is retried.
final class DeviceHTTPShell: @unchecked Sendable {
    let address: IPv4Address
    let port: Int
    private unowned(unsafe) let reactor: Reactor
    /// Hands an event to the device (set by the device host).
    var deliver: ((Event) -> Void)?
    /// Told (on the reactor thread) when the socket starts or stops listening, with a line to log.
    var onChange: ((String) -> Void)?

    /// The socket's life cycle. `wanted` is where it should end up once the pending step finishes.
    enum State {
        case closed
        case binding(wanted: Bool)
        case listening(Channel)
        case closing(wanted: Bool)
        /// The address stayed taken through every retry: no more binds until the station goes
        /// down and comes up again (it is counted once in `bind_failures`).
        case gaveUp
    }

    private(set) var state = State.closed
    private var bindAttempts = 0
    private var nextID: UInt32 = DeviceHTTPShell.idBase
    private var pending: [UInt32: (path: String, respond: @Sendable (HTTPResponse) -> Void)] = [:]
    /// Set by `finish()` (any thread reads it): a bind that completes after it closes at once,
    /// since the reactor that would have handled it may be gone.
    private let ended = Atomic<Bool>(false)

    /// Request ids of this shell (the portal's count from 1, local API requests from 0x8000_0000).
    static let idBase: UInt32 = 0x4000_0000
    /// Largest request body read; the device says 413 above its own limit.
    static let maxBodyBytes = 4096
    /// Binds retried while the address is taken, 100 ms apart.
    static let bindRetries = 50

    init(address: IPv4Address, port: Int, reactor: Reactor) {
        self.address = address
        self.port = port
        self.reactor = reactor
    }

    /// Whether the socket is bound now.
    var isListening: Bool {
        if case .listening = state { return true }
        return false
    }

    /// The station came up (true) or went down (false).
    func want(_ up: Bool) {
        switch state {
        case .closed:
            if up { bind() }
        case .binding(let wanted):
            if wanted != up { state = .binding(wanted: up) }
        case .listening(let channel):
            if !up { close(channel, reopen: false) }
        case .closing(let wanted):
            if wanted != up { state = .closing(wanted: up) }
        case .gaveUp:
            if !up { state = .closed }
        }
    }

    /// Closes for good (the run ends).
    func finish() {
        ended.store(true, ordering: .relaxed)
        want(false)
    }

    private func bind() {
        state = .binding(wanted: true)
        let host = address.text
        let limit = DeviceHTTPShell.maxBodyBytes
        let reactor = self.reactor
        ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 64)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(PortalHTTPHandler(maxBodyBytes: limit) { [self] request, respond in
                        reactor.post { _ in self.request(request, respond) }
                    })
                }
            }
            .bind(host: host, port: port)
            .whenComplete { [self] result in
                if case .success(let channel) = result, ended.load(ordering: .relaxed) { return channel.close(promise: nil) }
                reactor.post { _ in self.bound(result) }
            }
    }

    private func bound(_ result: Result<Channel, Error>) {
        guard case .binding(let wanted) = state else { return }
        switch result {
        case .success(let channel):
            bindAttempts = 0
            if wanted {
                state = .listening(channel)
                onChange?("device API up: http://" + address.text + ":" + String(port) + "/ (GET /version, /info, /scan; POST /update, /restart, …)")
            } else {
                close(channel, reopen: false)
            }
        case .failure:
            state = .closed
            guard wanted, bindAttempts < DeviceHTTPShell.bindRetries else {
                if wanted {
                    state = .gaveUp
                    reactor.deviceHTTP.bindFailures += 1
                    onChange?("device API could not listen on " + address.text + ":" + String(port) + " (address or port taken)")
                }
                bindAttempts = 0
                return
            }
            bindAttempts += 1
            state = .binding(wanted: true)
            let reactor = self.reactor
            MultiThreadedEventLoopGroup.singleton.next().scheduleTask(in: .milliseconds(100)) { [self] in
                reactor.post { _ in
                    guard case .binding(let stillWanted) = self.state else { return }
                    if stillWanted { self.bind() } else { self.state = .closed }
                }
            }
        }
    }

    private func close(_ channel: Channel, reopen: Bool) {
        state = .closing(wanted: reopen)
        for (_, waiting) in pending { answer(waiting, .text(503, "device restarting\n")) }
        pending = [:]
        let reactor = self.reactor
        channel.close().whenComplete { [self] _ in
            reactor.post { _ in
                guard case .closing(let wanted) = self.state else { return }
                self.state = .closed
                self.onChange?("device API down")
                if wanted { self.bind() }
            }
        }
    }

    private func request(_ request: HTTPRequest, _ respond: @escaping @Sendable (HTTPResponse) -> Void) {
        guard isListening, let deliver else {
            return answer((request.path, respond), .text(503, "device not reachable\n"))
        }
        nextID = nextID >= HostFaults.localIDBase - 1 ? DeviceHTTPShell.idBase : nextID + 1
        pending[nextID] = (request.path, respond)
        deliver(.httpRequest(id: nextID, request))
    }

    /// Sends the device's answer when `action` is one to this shell's requests.
    func answer(_ action: Action) -> Bool {
        guard case .httpRespond(let id, let response) = action, let waiting = pending.removeValue(forKey: id) else { return false }
        answer(waiting, response)
        return true
    }

    private func answer(_ waiting: (path: String, respond: @Sendable (HTTPResponse) -> Void), _ response: HTTPResponse) {
        reactor.deviceHTTP.count(path: waiting.path, status: response.status)
        waiting.respond(response)
    }
}
