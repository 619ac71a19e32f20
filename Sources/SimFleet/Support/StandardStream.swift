import Glibc

/// The process's standard output and error, written with `write(2)`: `FileHandle` would make every
/// run execute Foundation code (and keep it resident) just to print a line.
public enum StandardStream: Int32, Sendable {
    case output = 1
    case error = 2

    /// Writes all of `text` (UTF-8), retrying partial writes and interrupted calls; other errors
    /// (a closed pipe) drop the rest, as there is nowhere left to report them.
    public func write(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(rawValue, bytes.baseAddress! + offset, bytes.count - offset)
                if n > 0 {
                    offset += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }
}
