import DeviceCore
/// Why an image could not be signed.
public enum SignError: Error, Equatable, CustomStringConvertible {
    case emptyImage
    /// `--scheme` named one scheme, the key belongs to another.
    case schemeMismatch(requested: SignatureScheme, key: SignatureScheme)
    /// espsecure can write it, but ESP32-C6 cannot boot it and simfleet does not sign it.
    case unsupportedScheme(SignatureScheme)
    case key(PEMKeyError)

    public var description: String {
        switch self {
        case .emptyImage: "the image is empty; there is nothing to sign"
        case let .schemeMismatch(requested, key): "--scheme " + requested.name + " does not match the key, which is " + key.name
        case .unsupportedScheme(let scheme): "scheme " + scheme.name + " is not supported for signing (use rsa3072 or ecdsa256)"
        case .key(let error): error.description
        }
    }
}

/// Appends a Secure Boot V2 signature sector exactly as `espsecure sign-data --version 2` does:
/// the image padded with 0xFF to a 4096-byte boundary, then one 4096-byte sector whose block 0
/// signs the SHA-256 of everything before it, and 0xFF after the 1216-byte block.
public enum SignatureSectorWriter {
    public static let sectorSize = 4096
    public static let blockSize = 1216

    /// The signed image. `scheme` nil means "the key's scheme".
    public static func sign(image: [UInt8], key: PEMKey, scheme: SignatureScheme? = nil) throws(SignError) -> [UInt8] {
        guard !image.isEmpty else { throw .emptyImage }
        if let scheme, scheme != key.scheme { throw .schemeMismatch(requested: scheme, key: key.scheme) }
        guard key.scheme != .ecdsaP384 else { throw .unsupportedScheme(key.scheme) }
        var signed = image
        let remainder = signed.count % sectorSize
        if remainder != 0 { signed.append(contentsOf: repeatElement(0xFF, count: sectorSize - remainder)) }
        let digest = OpenSSLSHA256.digest(signed)
        let publicKey: SecureBootPublicKey
        do { publicKey = try SecureBootPublicKey(key) } catch { throw .key(.notAKey(error)) }
        let signature: SecureBootSignature
        do { signature = try key.sign(digest: digest) } catch { throw .key(error) }
        signed.append(contentsOf: block(digest: digest, publicKey: publicKey, signature: signature))
        signed.append(contentsOf: repeatElement(0xFF, count: sectorSize - blockSize))
        return signed
    }

    /// One 1216-byte block: magic 0xE7, version, ECDSA hash id, reserved, digest, key field,
    /// signature (little-endian), zero fill to 1196, CRC-32 of bytes 0..<1196, 16 zero bytes.
    public static func block(digest: [UInt8], publicKey: SecureBootPublicKey, signature: SecureBootSignature) -> [UInt8] {
        var block: [UInt8] = [0xE7, publicKey.scheme.blockVersion, publicKey.scheme == .ecdsaP384 ? 1 : 0, 0]
        block += digest
        block += publicKey.keyField
        switch signature {
        case .rsa(let value): block += value.reversed()
        case let .ecdsa(r, s): block += r.reversed() + s.reversed()
        }
        block += repeatElement(0, count: 1196 - block.count)
        let crc = CRC32.zlib(block)
        block += [UInt8(truncatingIfNeeded: crc), UInt8(truncatingIfNeeded: crc >> 8),
                  UInt8(truncatingIfNeeded: crc >> 16), UInt8(truncatingIfNeeded: crc >> 24)]
        block += repeatElement(0, count: 16)
        return block
    }
}
