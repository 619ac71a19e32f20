import COpenSSL

/// One-shot EVP digests other than the streaming SHA-256 (SHA-384 for ECDSA-P384 signature blocks).
public enum OpenSSLDigest {
    public static func sha384<C: Collection>(_ bytes: C) -> [UInt8] where C.Element == UInt8 {
        let contiguous = Array(bytes)
        var out = [UInt8](repeating: 0, count: 48)
        var length: UInt32 = 0
        precondition(EVP_Digest(contiguous, contiguous.count, &out, &length, EVP_sha384(), nil) == 1 && length == 48, "EVP_Digest(SHA-384) failed")
        return out
    }
}
