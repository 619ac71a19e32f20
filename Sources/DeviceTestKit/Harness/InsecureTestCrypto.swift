import DeviceCore

/// TEST ONLY: a `DeviceCrypto` that is not cryptography at all. Device-model tests never verify an
/// image (the real SHA-256 and signature checks belong to the OTA updater), but `Device` needs a
/// crypto type. The "hash" is a byte-sum fingerprint and every signature is refused, so nothing
/// that relies on it can pass a signature check by accident. Use `SoftwareCrypto` (or OpenSSL on
/// the host) wherever images are verified.
public enum InsecureTestCrypto: DeviceCrypto {
    public struct Hasher: SHA256Hashing {
        var sum: [UInt8] = Array(repeating: 0, count: 32)
        var count = 0

        public init() {}

        public mutating func update(_ bytes: ArraySlice<UInt8>) {
            for b in bytes {
                sum[count % 32] &+= b
                count += 1
            }
        }

        public mutating func finalize() -> [UInt8] { sum }
    }

    public static func verifyRSAPSS(modulusBE: [UInt8], exponent: UInt32, digest: [UInt8], signatureBE: [UInt8]) -> Bool {
        false
    }

    public static func verifyECDSAP256(x: [UInt8], y: [UInt8], digest: [UInt8], r: [UInt8], s: [UInt8]) -> Bool {
        false
    }
}
