import DeviceCore
import Foundation

/// The status line and headers of a download's response, one line at a time as libcurl hands them
/// over (every response's, redirects included). Yields `.response` at the blank line that ends the
/// final (non-redirect) head. Pure: `DownloadTransfer` feeds it, and the fuzz target drives it alone.
struct ResponseHead {
    private(set) var status = 0
    private(set) var contentLength: Int?
    private(set) var rangeStart = 0

    /// Reads one header line (with or without its CRLF); the event when the final head is complete.
    mutating func consume(line: UnsafeRawBufferPointer) -> DownloadEvent? {
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("HTTP/") {
            let parts = text.split(separator: " ")
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            contentLength = nil
            rangeStart = 0
        } else if let colon = text.firstIndex(of: ":") {
            let name = text[..<colon].lowercased()
            let value = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name == "content-length" { contentLength = Int(value) }
            if name == "content-range", value.hasPrefix("bytes ") {
                rangeStart = Int(value.dropFirst(6).split(separator: "-").first ?? "") ?? 0
            }
        } else if text.isEmpty, !(300..<400).contains(status), status >= 200 {
            return .response(status: status, contentLength: contentLength, rangeStart: rangeStart)
        }
        return nil
    }
}
