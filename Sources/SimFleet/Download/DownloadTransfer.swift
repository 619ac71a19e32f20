import CCurl
import DeviceCore
import Foundation

/// One HTTP GET in flight: parses the status line and headers libcurl hands over (the last
/// response's, after redirects) and reports `.response`, `.data`, then `.finished` or `.failed`.
final class DownloadTransfer {
    let easy: UnsafeMutableRawPointer
    private unowned(unsafe) let sink: DownloadSink
    private unowned(unsafe) let multi: CurlMulti
    private var head = ResponseHead()
    private var responded = false
    var done = false
    /// Which request this is, for the run's HTTP accounting.
    var kind = HTTPKind.firmware
    /// Largest body accepted (0: any); past it the transfer is aborted and counted `too_large`.
    var maxBody = 0
    private var bodyBytes = 0
    /// The body went past `maxBody` (libcurl then ends the transfer with a write error).
    private(set) var overLimit = false

    init(sink: DownloadSink, multi: CurlMulti) {
        easy = CurlLibrary.easyHandle()
        self.sink = sink
        self.multi = multi
    }

    deinit { simfleet_curl_easy_cleanup(easy) }

    static func from(_ p: UnsafeMutableRawPointer?) -> DownloadTransfer {
        Unmanaged<DownloadTransfer>.fromOpaque(p!).takeUnretainedValue()
    }

    func header(_ line: UnsafeRawBufferPointer) -> Int {
        if let event = head.consume(line: line) {
            responded = true
            emit(event)
        }
        return line.count
    }

    func body(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard !done else { return 0 }
        bodyBytes += bytes.count
        if maxBody > 0 && bodyBytes > maxBody {
            // The device sees one byte past the limit and refuses by its own rule (an image larger
            // than its slot, a manifest larger than it reads); libcurl aborts the rest, so a 10 GB
            // body is never read.
            overLimit = true
            let upToLimit = bytes.count - (bodyBytes - maxBody) + 1
            if upToLimit > 0, head.status < 400 { emit(.data(Array(bytes.prefix(upToLimit)))) }
            return 0
        }
        if head.status >= 400 { return bytes.count }  // error page: not firmware
        emit(.data(Array(bytes)))
        return bytes.count
    }

    func complete(result: CURLcode, status finalStatus: Int) {
        guard !done else { return }
        done = true
        if result == CURLE_OK && finalStatus >= 400 {
            emit(.failed(.httpStatus(finalStatus)))
        } else if result == CURLE_OK {
            emit(.finished)
        } else {
            switch result {
            case CURLE_OPERATION_TIMEDOUT: emit(.failed(.timedOut))
            case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST: emit(.failed(.unreachable))
            default: emit(.failed(.connectionLost))
            }
        }
    }

    private func emit(_ e: DownloadEvent) {
        sink.downloadEvent(e)
        multi.touch(sink)
    }
}
