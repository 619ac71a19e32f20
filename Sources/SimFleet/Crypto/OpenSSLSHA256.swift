import COpenSSL
import DeviceCore

/// Incremental SHA-256 on OpenSSL's EVP interface: the host side of `SHA256Hashing`.
/// A value type: copies made before `finalize` hash independently (copy-on-write of the EVP context).
/// Sendable because the context is only touched through a uniquely referenced copy.
public struct OpenSSLSHA256: SHA256Hashing, @unchecked Sendable {
    private var context: Context

    public init() {
        context = Context()
    }

    public mutating func update(_ bytes: ArraySlice<UInt8>) {
        if !isKnownUniquelyReferenced(&context) { context = context.copy() }
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, buffer.count > 0 else { return }
            precondition(EVP_DigestUpdate(context.raw, base, buffer.count) == 1, "EVP_DigestUpdate failed")
        }
    }

    public mutating func finalize() -> [UInt8] {
        if !isKnownUniquelyReferenced(&context) { context = context.copy() }
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        precondition(EVP_DigestFinal_ex(context.raw, &digest, &length) == 1 && length == 32, "EVP_DigestFinal_ex failed")
        return digest
    }

    /// SHA-256 of one buffer.
    public static func digest<C: Collection>(_ bytes: C) -> [UInt8] where C.Element == UInt8 {
        var hasher = OpenSSLSHA256()
        hasher.update(ArraySlice(bytes))
        return hasher.finalize()
    }

    /// Owns one `EVP_MD_CTX`; failures here mean libcrypto itself is broken, a local precondition.
    private final class Context {
        let raw: OpaquePointer

        init() {
            guard let ctx = EVP_MD_CTX_new() else { preconditionFailure("EVP_MD_CTX_new failed") }
            precondition(EVP_DigestInit_ex(ctx, EVP_sha256(), nil) == 1, "EVP_DigestInit_ex failed")
            raw = ctx
        }

        private init(raw: OpaquePointer) { self.raw = raw }

        func copy() -> Context {
            guard let ctx = EVP_MD_CTX_new() else { preconditionFailure("EVP_MD_CTX_new failed") }
            precondition(EVP_MD_CTX_copy_ex(ctx, raw) == 1, "EVP_MD_CTX_copy_ex failed")
            return Context(raw: ctx)
        }

        deinit { EVP_MD_CTX_free(raw) }
    }
}
