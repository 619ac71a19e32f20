import COpenSSL

/// A libcrypto call that failed, with the step that failed and OpenSSL's own reason text.
public struct OpenSSLError: Error, Equatable, CustomStringConvertible {
    /// What simfleet was doing (`"EVP_PKEY_fromdata"`, `"reading PEM key"`).
    public let step: String
    /// OpenSSL's error queue, oldest first, drained when the error was made.
    public let reasons: [String]

    /// Captures and clears OpenSSL's thread-local error queue.
    init(_ step: String) {
        self.step = step
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            reasons.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        self.reasons = reasons
    }

    public var description: String {
        reasons.isEmpty ? step + " failed" : step + " failed: " + reasons.joined(separator: "; ")
    }
}
