import DeviceCore
import Dispatch
import NIOConcurrencyHelpers
import NIOCore

/// The imperative shell of a device's access point: opens its `PortalHost` sockets on
/// `.startAccessPoint`, closes them on `.stopAccessPoint` or a reboot, turns requests and
/// datagrams into device events on the reactor thread and sends the device's answers back.
/// Socket opens and closes run in order on one task, so a quick stop/start cannot race.
final class AccessPointShell: @unchecked Sendable {
    /// Where the sockets go (the device's loopback address and ports).
    let sockets: PortalHost.Configuration
    let radio: SimulatedRadio
    private let group: EventLoopGroup
    private let post: @Sendable (@escaping @Sendable (AccessPointShell) -> Void) -> Void
    private let log: @Sendable (String, _ failure: Bool) -> Void

    // Reactor thread only.
    /// Hands an event to the device (set by the device host).
    var deliver: ((Event) -> Void)?
    private var up = false
    private var nextID: UInt32 = 0
    private var pendingHTTP: [UInt32: @Sendable (HTTPResponse) -> Void] = [:]
    private var pendingDNS: [UInt32: @Sendable ([UInt8]?) -> Void] = [:]

    private enum Command { case open, close }
    private let commands: AsyncStream<Command>.Continuation
    private let listening = NIOLockedValueBox<PortalHost?>(nil)
    private let ended = DispatchSemaphore(value: 0)

    /// `post` runs its closure on the device's reactor thread; `log` gets one line per socket change
    /// (`failure` set when sockets could not be opened).
    init(sockets: PortalHost.Configuration, radio: SimulatedRadio, group: EventLoopGroup,
         post: @escaping @Sendable (@escaping @Sendable (AccessPointShell) -> Void) -> Void,
         log: @escaping @Sendable (String, _ failure: Bool) -> Void) {
        self.sockets = sockets
        self.radio = radio
        self.group = group
        self.post = post
        self.log = log
        let (stream, continuation) = AsyncStream.makeStream(of: Command.self)
        self.commands = continuation
        let ended = self.ended
        Task { [weak self] in
            for await command in stream {
                guard let self else { break }
                await self.apply(command)
            }
            ended.signal()
        }
    }

    /// The bound portal sockets while the access point is up.
    var host: PortalHost? { listening.withLockedValue { $0 } }

    /// Performs an access-point action of the device (reactor thread).
    func perform(_ action: Action) {
        switch action {
        case .startAccessPoint:
            up = true
            commands.yield(.open)
        case .stopAccessPoint:
            down()
        case .httpRespond(let id, let response):
            pendingHTTP.removeValue(forKey: id)?(response)
        case .dnsRespond(let id, let reply):
            pendingDNS.removeValue(forKey: id)?(reply)
        default:
            break
        }
    }

    /// The radio goes quiet (reboot, power cut): close the sockets, answer what is still waiting.
    func down() {
        guard up else { return }
        up = false
        for (_, respond) in pendingHTTP { respond(.text(503, "access point stopped\n")) }
        for (_, reply) in pendingDNS { reply(nil) }
        pendingHTTP = [:]
        pendingDNS = [:]
        commands.yield(.close)
    }

    /// Ends the lifecycle task after closing the sockets.
    func finish() {
        commands.yield(.close)
        commands.finish()
    }

    /// Blocks until `finish()` has closed the sockets (or `seconds` pass).
    func waitUntilFinished(seconds: Double) {
        _ = ended.wait(timeout: .now() + seconds)
    }

    private func apply(_ command: Command) async {
        switch command {
        case .open:
            guard host == nil else { return }
            do {
                let bound = try await PortalHost.start(sockets, group: group, onRequest: { [weak self] request, respond in
                    self?.post { shell in shell.request(request, respond) }
                }, onQuery: { [weak self] datagram, reply in
                    self?.post { shell in shell.query(datagram, reply) }
                })
                listening.withLockedValue { $0 = bound }
                log("access point up: portal http://" + sockets.address.text + ":" + String(bound.httpPort)
                    + "/, DNS " + sockets.address.text + ":" + String(bound.dnsPort), false)
            } catch {
                log("access point sockets failed on " + sockets.address.text + ": " + String(describing: error), true)
            }
        case .close:
            guard let bound = listening.withLockedValue({ h -> PortalHost? in defer { h = nil }; return h }) else { return }
            await bound.stop()
            log("access point down", false)
        }
    }

    private func request(_ request: HTTPRequest, _ respond: @escaping @Sendable (HTTPResponse) -> Void) {
        guard up, let deliver else { return respond(.text(503, "access point not up\n")) }
        nextID &+= 1
        pendingHTTP[nextID] = respond
        deliver(.httpRequest(id: nextID, request))
    }

    private func query(_ datagram: [UInt8], _ reply: @escaping @Sendable ([UInt8]?) -> Void) {
        guard up, let deliver else { return reply(nil) }
        nextID &+= 1
        pendingDNS[nextID] = reply
        deliver(.dnsQuery(id: nextID, datagram))
    }
}
