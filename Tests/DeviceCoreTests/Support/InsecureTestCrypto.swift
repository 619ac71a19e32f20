@testable import DeviceCore

/// TEST ONLY: a `DeviceCrypto` that is not cryptography at all. The device-model tests never verify
/// an image (the real SHA-256 and signature checks belong to the OTA updater), but `Device` needs a
/// crypto type. The "hash" is a byte-sum fingerprint and every signature is refused, so nothing
/// that relies on it can pass a signature check by accident.
enum InsecureTestCrypto: DeviceCrypto {
    struct Hasher: SHA256Hashing {
        var sum: [UInt8] = Array(repeating: 0, count: 32)
        var count = 0

        init() {}

        mutating func update(_ bytes: ArraySlice<UInt8>) {
            for b in bytes {
                sum[count % 32] &+= b
                count += 1
            }
        }

        mutating func finalize() -> [UInt8] { sum }
    }

    static func verifyRSAPSS(modulusBE: [UInt8], exponent: UInt32, digest: [UInt8], signatureBE: [UInt8]) -> Bool {
        false
    }

    static func verifyECDSAP256(x: [UInt8], y: [UInt8], digest: [UInt8], r: [UInt8], s: [UInt8]) -> Bool {
        false
    }
}
