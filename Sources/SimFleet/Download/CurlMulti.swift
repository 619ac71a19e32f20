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
    /// Transfers and posts started and not yet ended (the end of a run waits for them).
    private(set) var inFlight = 0

    init(reactor: Reactor) {
        multi = CurlLibrary.multiHandle()
        self.reactor = reactor
        reactor.createdDownloads = self
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

    deinit { simfleet_curl_multi_cleanup(multi) }

    /// Starts a GET of `url` from byte `rangeStart`; events go to `sink`. The request is counted as
    /// `kind`; its body may not exceed `limits.maxBody`. libcurl aborts a transfer that moves less
    /// than 1 byte/s for `stall` and any that lasts longer than `deadline` or `limits.timeoutSeconds`
    /// (the device enforces its own; these are backstops). Only http and https are spoken, and a
    /// redirect never leaves them, nor https for http (`redirectProtocols`).
    func start(url: String, rangeStart: Int, sink: DownloadSink, kind: HTTPKind = .firmware, limits: HTTPLimits = HTTPLimits(),
               stall: TimeSpan = .seconds(30), deadline: TimeSpan = .seconds(600)) -> DownloadTransfer {
        let t = DownloadTransfer(sink: sink, multi: self)
        t.kind = kind
        t.maxBody = limits.maxBody
        simfleet_curl_easy_prepare(t.easy, url, rangeStart, { ptr, size, n, ud in
            DownloadTransfer.from(ud).body(UnsafeRawBufferPointer(start: ptr, count: size * n))
        }, { ptr, size, n, ud in
            DownloadTransfer.from(ud).header(UnsafeRawBufferPointer(start: ptr, count: size * n))
        }, Unmanaged.passUnretained(t).toOpaque(), 10, Int(max(1, stall.milliseconds / 1000)),
           Int(CurlMulti.totalTimeoutMs(deadline: deadline, limits: limits)), CurlMulti.redirectProtocols(for: url))
        simfleet_curl_easy_limits(t.easy, limits.refuseAnnouncedOversize ? Int64(limits.maxBody) : 0, 0)
        simfleet_curl_multi_add_handle(multi, t.easy)
        inFlight += 1
        return t
    }

    /// Protocols a download of `url` may be redirected to: from https only https (a redirect must
    /// not drop TLS), from http either.
    static func redirectProtocols(for url: String) -> String {
        url.lowercased().hasPrefix("https://") ? "https" : "http,https"
    }

    /// The whole transfer's bound in ms: the download deadline, or the request's own limit when shorter.
    static func totalTimeoutMs(deadline: TimeSpan, limits: HTTPLimits) -> Int64 {
        let ms = max(1, deadline.milliseconds)
        return limits.timeoutSeconds > 0 ? min(ms, Int64(limits.timeoutSeconds) * 1000) : ms
    }

    private var posts: [UnsafeMutableRawPointer: HTTPPost] = [:]

    /// POSTs `body` with `headers` (`Name: value` lines) to `url`, counted as `kind`; the answer's
    /// body is kept up to `HTTPPost.keptBytes` and never printed. `completion` runs on the reactor
    /// thread with the exchange and the kept body.
    func post(url: String, body: String, headers: [String], kind: HTTPKind, limits: HTTPLimits,
              completion: @escaping (HTTPExchange, [UInt8]) -> Void) {
        let easy = CurlLibrary.easyHandle()
        let post = HTTPPost(easy: easy, kind: kind, maxBody: limits.maxBody, completion: completion)
        for line in headers { post.headers = simfleet_curl_slist_append(post.headers, line) }
        simfleet_curl_easy_prepare_post(easy, url, body, post.headers, easy, limits.timeoutSeconds)
        simfleet_curl_easy_write_to(easy, { ptr, size, n, ud in
            HTTPPost.from(ud).body(UnsafeRawBufferPointer(start: ptr, count: size * n))
        }, Unmanaged.passUnretained(post).toOpaque())
        simfleet_curl_easy_limits(easy, Int64(limits.maxBody), limits.timeoutSeconds)
        posts[easy] = post
        simfleet_curl_multi_add_handle(multi, easy)
        inFlight += 1
    }

    /// Ends every registration still on the wire, counted as `aborted` (the end of a run; downloads
    /// are ended by their devices' hosts).
    func abortPosts() {
        for (easy, post) in posts {
            let exchange = HTTPExchange(easy: easy, result: CURLE_OK, aborted: true)
            simfleet_curl_multi_remove_handle(multi, easy)
            reactor.http.record(post.kind, exchange)
            inFlight -= 1
            post.finish(exchange)
        }
        posts.removeAll()
    }

    /// Stops a transfer without reporting it to its sink; the request is counted as `aborted`.
    func cancel(_ t: DownloadTransfer) {
        guard !t.done else { return }
        t.done = true
        inFlight -= 1
        reactor.http.record(t.kind, HTTPExchange(easy: t.easy, result: CURLE_OK, aborted: true))
        simfleet_curl_multi_remove_handle(multi, t.easy)
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
        simfleet_curl_multi_socket_action(multi, fd, flags, &running)
        finishCompleted()
    }

    func timerFired(at now: Instant) {
        var running: Int32 = 0
        simfleet_curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running)
        finishCompleted()
    }

    func touch(_ sink: DownloadSink) { touched[ObjectIdentifier(sink)] = sink }

    private func finishCompleted() {
        var left: Int32 = 0
        while let msg = simfleet_curl_multi_info_read(multi, &left) {
            guard msg.pointee.msg == CURLMSG_DONE, let easy = msg.pointee.easy_handle,
                  let p = simfleet_curl_private(easy) else { continue }
            let result = msg.pointee.data.result
            let status = Int(simfleet_curl_response_code(easy))
            inFlight -= 1
            if let post = posts.removeValue(forKey: p) {
                let exchange = HTTPExchange(easy: easy, result: result, overLimit: post.overLimit)
                simfleet_curl_multi_remove_handle(multi, easy)
                reactor.http.record(post.kind, exchange)
                post.finish(exchange)
            } else {
                let t = DownloadTransfer.from(p)
                reactor.http.record(t.kind, HTTPExchange(easy: easy, result: result, overLimit: t.overLimit))
                simfleet_curl_multi_remove_handle(multi, easy)
                t.complete(result: result, status: status)
            }
        }
        let sinks = touched
        touched.removeAll(keepingCapacity: true)
        for (_, s) in sinks { s.flushDownloadEvents() }
    }
}
