import CCurl
import CMosquitto
import DeviceCore
import Foundation
import Glibc

/// Receives a transfer's progress as DeviceCore download events (on the reactor thread, queued;
/// `flushDownloadEvents` follows once libcurl has returned).
protocol DownloadSink: AnyObject {
    func downloadEvent(_ event: DownloadEvent)
    func flushDownloadEvents()
}

/// libcurl's multi-socket interface on a reactor: libcurl says which sockets it wants watched and
/// when its timer is due; the reactor reports readiness and time. Any number of transfers, no threads.
final class CurlMulti: ReactorClient {
    private let multi: UnsafeMutableRawPointer
    private unowned(unsafe) let reactor: Reactor
    private var slot: Int32 = -1
    private var watched: [Int32: UInt32] = [:]
    private var touched: [ObjectIdentifier: DownloadSink] = [:]

    static let globalReady: Bool = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        return true
    }()

    init(reactor: Reactor) {
        _ = CurlMulti.globalReady
        multi = curl_multi_init()!
        self.reactor = reactor
        slot = reactor.attach(self, periodic: false)
        let me = Unmanaged.passUnretained(self).toOpaque()
        simfleet_curl_multi_callbacks(multi, { _, fd, what, userp, _ in
            Unmanaged<CurlMulti>.fromOpaque(userp!).takeUnretainedValue().watch(fd: fd, what: what)
            return 0
        }, { _, timeoutMs, userp in
            Unmanaged<CurlMulti>.fromOpaque(userp!).takeUnretainedValue().setTimer(ms: timeoutMs)
            return 0
        }, me)
    }

    deinit { curl_multi_cleanup(multi) }

    /// Starts a GET of `url` from byte `rangeStart`; events go to `sink`. libcurl aborts a transfer
    /// that moves less than 1 byte/s for `stall` and any that lasts longer than `deadline` (the
    /// device enforces both itself; these are backstops). Only http and https are spoken, and a
    /// redirect never leaves them, nor https for http (`redirectProtocols`).
    func start(url: String, rangeStart: Int, sink: DownloadSink, stall: TimeSpan = .seconds(30),
               deadline: TimeSpan = .seconds(600)) -> DownloadTransfer {
        let t = DownloadTransfer(sink: sink, multi: self)
        simfleet_curl_easy_prepare(t.easy, url, rangeStart, { ptr, size, n, ud in
            DownloadTransfer.from(ud).body(UnsafeRawBufferPointer(start: ptr, count: size * n))
        }, { ptr, size, n, ud in
            DownloadTransfer.from(ud).header(UnsafeRawBufferPointer(start: ptr, count: size * n))
        }, Unmanaged.passUnretained(t).toOpaque(), 10, Int(max(1, stall.milliseconds / 1000)), Int(max(1, deadline.milliseconds)),
           CurlMulti.redirectProtocols(for: url))
        curl_multi_add_handle(multi, t.easy)
        return t
    }

    /// Protocols a download of `url` may be redirected to: from https only https (a redirect must
    /// not drop TLS), from http either.
    static func redirectProtocols(for url: String) -> String {
        url.lowercased().hasPrefix("https://") ? "https" : "http,https"
    }

    private var posts: [UnsafeMutableRawPointer: (headers: UnsafeMutablePointer<curl_slist>?, completion: (Bool, Int) -> Void)] = [:]

    /// POSTs a JSON `body` to `url`; `completion(ok, status)` runs on the reactor thread.
    func postJSON(url: String, body: String, completion: @escaping (Bool, Int) -> Void) {
        guard let easy = curl_easy_init() else { return completion(false, 0) }
        let headers = curl_slist_append(nil, "Content-Type: application/json")
        simfleet_curl_easy_prepare_post(easy, url, body, headers, easy, 10)
        posts[easy] = (headers, completion)
        curl_multi_add_handle(multi, easy)
    }

    /// Stops a transfer without reporting it.
    func cancel(_ t: DownloadTransfer) {
        guard !t.done else { return }
        t.done = true
        curl_multi_remove_handle(multi, t.easy)
    }

    private func watch(fd: Int32, what: Int32) {
        if what == CURL_POLL_REMOVE {
            if watched.removeValue(forKey: fd) != nil { reactor.watch(fd: fd, slot: slot, events: 0, op: EPOLL_CTL_DEL) }
            return
        }
        var mask: UInt32 = 0
        if what == CURL_POLL_IN || what == CURL_POLL_INOUT { mask |= EPOLLIN.rawValue }
        if what == CURL_POLL_OUT || what == CURL_POLL_INOUT { mask |= EPOLLOUT.rawValue }
        let op = watched[fd] == nil ? EPOLL_CTL_ADD : EPOLL_CTL_MOD
        watched[fd] = mask
        if reactor.watch(fd: fd, slot: slot, events: mask, op: op) != 0 {
            reactor.watch(fd: fd, slot: slot, events: mask, op: op == EPOLL_CTL_ADD ? EPOLL_CTL_MOD : EPOLL_CTL_ADD)
        }
    }

    private func setTimer(ms: Int) {
        reactor.schedule(slot, at: ms < 0 ? nil : HostClock.now() + .milliseconds(Int64(ms)))
    }

    func descriptorReady(_ events: UInt32, fd: Int32) {
        var flags: Int32 = 0
        if events & EPOLLIN.rawValue != 0 { flags |= CURL_CSELECT_IN }
        if events & EPOLLOUT.rawValue != 0 { flags |= CURL_CSELECT_OUT }
        if events & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 { flags |= CURL_CSELECT_ERR }
        var running: Int32 = 0
        curl_multi_socket_action(multi, fd, flags, &running)
        finishCompleted()
    }

    func timerFired(at now: Instant) {
        var running: Int32 = 0
        curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running)
        finishCompleted()
    }

    func touch(_ sink: DownloadSink) { touched[ObjectIdentifier(sink)] = sink }

    private func finishCompleted() {
        var left: Int32 = 0
        while let msg = curl_multi_info_read(multi, &left) {
            guard msg.pointee.msg == CURLMSG_DONE, let easy = msg.pointee.easy_handle,
                  let p = simfleet_curl_private(easy) else { continue }
            let result = msg.pointee.data.result
            let status = Int(simfleet_curl_response_code(easy))
            curl_multi_remove_handle(multi, easy)
            if let post = posts.removeValue(forKey: p) {
                post.completion(result == CURLE_OK && (200..<300).contains(status), status)
                curl_slist_free_all(post.headers)
                curl_easy_cleanup(easy)
            } else {
                DownloadTransfer.from(p).complete(result: result, status: status)
            }
        }
        let sinks = touched
        touched.removeAll(keepingCapacity: true)
        for (_, s) in sinks { s.flushDownloadEvents() }
    }
}
