import COpenSSL
import DeviceCore

/// Incremental SHA-256 on OpenSSL's low-level SHA-256: the host side of `SHA256Hashing`.
/// A plain value: the context is OpenSSL's `SHA256_CTX` held inline, so copies made before
/// `finalize` hash independently and nothing is allocated. Not `EVP_sha256`, which would load
/// OpenSSL's default provider (≈ 1.8 MiB resident) in fleets that never verify a signature.
public struct OpenSSLSHA256: SHA256Hashing, Sendable {
    private var context = SHA256_CTX()

    public init() {
        simfleet_sha256_init(&context)
    }

    public mutating func update(_ bytes: ArraySlice<UInt8>) {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, buffer.count > 0 else { return }
            simfleet_sha256_update(&context, base, buffer.count)
        }
    }

    public mutating func finalize() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        simfleet_sha256_final(&context, &digest)
        return digest
    }

    /// SHA-256 of one buffer.
    public static func digest<C: Collection>(_ bytes: C) -> [UInt8] where C.Element == UInt8 {
        var hasher = OpenSSLSHA256()
        hasher.update(ArraySlice(bytes))
        return hasher.finalize()
    }
}
