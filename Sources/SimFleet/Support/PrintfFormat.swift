import Glibc

extension String {
    /// printf-style formatting (`%.3f`, `%02x`, `%d`) with C's `vsnprintf` in the C locale: the text
    /// `String(format:)` produces for these, without running Foundation's CFString formatter.
    /// No `%@`: arguments are C values.
    public init(printf format: String, _ arguments: CVarArg...) {
        var buffer = [CChar](repeating: 0, count: 64)
        let needed = Int(withVaList(arguments) { vsnprintf(&buffer, buffer.count, format, $0) })
        if needed >= buffer.count {
            buffer = [CChar](repeating: 0, count: needed + 1)
            _ = withVaList(arguments) { vsnprintf(&buffer, buffer.count, format, $0) }
        }
        self = needed < 0 ? "" : buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
